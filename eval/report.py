"""`python -m eval.report` in a checkout: runs tfgan_ext.cli.report (the console
script tfgan-ext-report when the package is installed); --help shows its
usage."""

from tfgan_ext.cli.report import main, run  # noqa: F401

if __name__ == "__main__":
  run()
