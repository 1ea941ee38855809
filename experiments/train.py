"""`python -m experiments.train` in a checkout: runs tfgan_ext.cli.train (the
console script tfgan-ext-train when the package is installed); --help shows
its usage."""

from tfgan_ext.cli.train import main, run  # noqa: F401

if __name__ == "__main__":
  run()
