"""`python -m eval.train_classifier` in a checkout: runs
tfgan_ext.cli.train_classifier (the console script tfgan-ext-train-classifier
when the package is installed); --help shows its usage."""

from tfgan_ext.cli.train_classifier import main, run  # noqa: F401

if __name__ == "__main__":
  run()
