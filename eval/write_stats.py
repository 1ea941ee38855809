"""`python -m eval.write_stats` in a checkout: runs tfgan_ext.cli.write_stats
(the console script tfgan-ext-write-stats when the package is installed);
--help shows its usage."""

from tfgan_ext.cli.write_stats import main, run  # noqa: F401

if __name__ == "__main__":
  run()
