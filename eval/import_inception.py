"""`python -m eval.import_inception` in a checkout: runs
tfgan_ext.cli.import_inception (the console script tfgan-ext-import-inception
when the package is installed); --help shows its usage."""

from tfgan_ext.cli.import_inception import main, run  # noqa: F401

if __name__ == "__main__":
  run()
