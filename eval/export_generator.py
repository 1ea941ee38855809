"""`python -m eval.export_generator` in a checkout: runs
tfgan_ext.cli.export_generator (the console script tfgan-ext-export when the
package is installed); --help shows its usage."""

from tfgan_ext.cli.export_generator import main, run  # noqa: F401

if __name__ == "__main__":
  run()
