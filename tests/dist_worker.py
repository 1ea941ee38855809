"""Subprocess entry for distribution tests: trains a few steps, prints JSON.

python -m tests.dist_worker STRATEGIES CPU_DEVICES BASE_DIR STEPS VARIANTS_JSON

STRATEGIES is a comma-separated list of strategy names; VARIANTS_JSON is a
list of variants, each a list of "KEY=VALUE" strings that override
TrainConfig / ObjectiveConfig fields (objective.X). Each strategy trains
every variant in BASE_DIR/<strategy>/<index> within this one process
(TensorFlow starts once; with CPU_DEVICES > 1 the `default` strategy runs on
the first logical device). Prints one JSON line: {strategy: {"losses":
[[[d_loss, g_loss], ...] per variant], "moving": [[after step 1, after the
last step] per variant]}}, each "moving" entry a dict {path of a G
batch-norm moving-statistics variable: [value of each replica's copy]}.
"""

import dataclasses
import json
import sys


def main(argv):
  strategies, cpu_devices, base_dir, steps = (
      argv[1].split(","), int(argv[2]), argv[3], int(argv[4]))
  import os
  out = {}
  for strategy in strategies:
    results = [train_variant(strategy, cpu_devices,
                             os.path.join(base_dir, strategy, str(i)), steps,
                             variant)
               for i, variant in enumerate(json.loads(argv[5]))]
    out[strategy] = {"losses": [r[0] for r in results],
                     "moving": [r[1] for r in results]}
  print(json.dumps(out), flush=True)


_configured = []


def train_variant(strategy, cpu_devices, model_dir, steps, overrides):
  from tfgan_ext.train.strategies import configure_cpu_devices
  if cpu_devices > 1 and not _configured:
    configure_cpu_devices(cpu_devices)
    _configured.append(True)
  from tfgan_ext.models import ModelConfig
  from tfgan_ext.train.config import TrainConfig
  from tfgan_ext.train.trainer import Trainer
  config = TrainConfig(model=ModelConfig("sagan", 8, 1, 10, 8, 4, 4),
                       dataset="digits", batch_size=16, max_steps=steps,
                       save_every=steps, summary_every=steps,
                       image_every=steps, seed=1, strategy=strategy)
  objective_changes = {}
  for pair in overrides:
    key, value = pair.split("=", 1)
    value = json.loads(value)
    if key.startswith("objective."):
      objective_changes[key[len("objective."):]] = value
    else:
      config = dataclasses.replace(config, **{key: value})
  if objective_changes:
    config = dataclasses.replace(
        config, objective=dataclasses.replace(config.objective,
                                              **objective_changes))
  losses, moving = [], []

  class Record:
    def on_step_end(self, trainer, step, logs):
      losses.append([logs["d_loss"], logs["g_loss"]])
      if step in (1, steps):
        moving.append(_moving_statistics(trainer.generator))

  trainer = Trainer(config, model_dir, callbacks=[Record()])
  trainer.train()
  return losses, moving


def _moving_statistics(generator):
  """{path: [value of each replica's copy]} of G's batch-norm averages."""
  from tfgan_ext.nn.normalization import MOVING_VARIABLES
  out = {}
  for v in generator.variables:
    if v.path.rsplit("/", 1)[-1] in MOVING_VARIABLES:
      copies = getattr(v.value, "values", (v.value,))
      out[v.path] = [c.numpy().tolist() for c in copies]
  return out


if __name__ == "__main__":
  main(sys.argv)
