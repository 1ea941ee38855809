"""Flags shared by the binaries that take a run's generator out of the
project (eval.sample, eval.export_generator): which run, which checkpoint,
which of its generators, where to write."""

from absl import flags

flags.DEFINE_string("model_dir", None, "Training run (its config.json and "
                    "checkpoints).")
flags.DEFINE_string("checkpoint", None, "Checkpoint to use: a path or a name "
                    "in --model_dir such as ckpt-500 (default: the newest).")
flags.DEFINE_string("out", None, "Output: eval.sample's .npz file or PNG "
                    "directory; eval.export_generator's SavedModel directory "
                    "(new or empty).")
flags.DEFINE_bool("use_ema", True, "Use the run's EMA generator when it has "
                  "one (trained with --ema_decay > 0); false = the raw "
                  "generator. The output's record names which.")
flags.mark_flags_as_required(["model_dir", "out"])
