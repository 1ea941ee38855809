"""`python -m eval.run` in a checkout: runs tfgan_ext.cli.run (the console
script tfgan-ext-eval when the package is installed); --help shows its usage."""

from tfgan_ext.cli.run import main, run  # noqa: F401

if __name__ == "__main__":
  run()
