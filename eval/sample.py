"""`python -m eval.sample` in a checkout: runs tfgan_ext.cli.sample (the console
script tfgan-ext-sample when the package is installed); --help shows its
usage."""

from tfgan_ext.cli.sample import main, run  # noqa: F401

if __name__ == "__main__":
  run()
