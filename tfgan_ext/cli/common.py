"""Defaults the eval binaries share: where classifiers and caches live.

Both paths are relative to the directory the binaries run in (the project
root for `make demo`); see WORKSPACE.md.
"""

CLASSIFIERS_DIR = "classifiers"   # <dataset>_<size>px/classifier.{keras,json}
STATS_CACHE_DIR = "eval_cache"    # real-data features and FID statistics
