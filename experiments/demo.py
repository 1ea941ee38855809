"""`python -m experiments.demo` in a checkout: runs tfgan_ext.cli.demo (the
console script tfgan-ext-demo when the package is installed); --help shows
its usage."""

from tfgan_ext.cli.demo import main, run  # noqa: F401

if __name__ == "__main__":
  run()
