"""The command-line binaries (absl apps): train, eval (run), sample,
export_generator, write_stats, import_inception, train_classifier, demo,
report, and the flag modules they share.

Each binary module has `main(argv)` and `run()`; `run` is the console
script's entry point (tfgan-ext-train, tfgan-ext-eval, ...; pyproject.toml)
and what the checkout's shims (`python -m experiments.train`,
`python -m eval.run`, ...) call. Flags are read only here, never in the
library. Importing this package imports no binary (their flags are defined
when a binary module is imported).
"""
