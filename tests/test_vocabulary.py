"""One name and one default per option: train flags, configs, Python API."""

import dataclasses

from absl import flags

from tfgan_ext.cli import train_flags  # noqa: F401  (defines the flags)
from tfgan_ext.config import TrainConfig
from tfgan_ext.gan import objective_config
from tfgan_ext.models import ModelConfig
from tfgan_ext.objectives.config import ObjectiveConfig

FLAGS = flags.FLAGS
# The binary's --num_classes defaults to -1 (all of the dataset's classes);
# a ModelConfig made in Python defaults to 0 (unconditional).
BINARY_ONLY_DEFAULTS = {"num_classes": -1}


def _fields(cls):
  return [f for f in dataclasses.fields(cls)
          if f.name not in ("model", "objective")]


def test_every_config_field_is_a_flag_with_the_fields_default():
  checked = 0
  for cls in (TrainConfig, ModelConfig, ObjectiveConfig):
    defaults = cls()
    for field in _fields(cls):
      assert field.name in FLAGS, f"{cls.__name__}.{field.name} has no flag"
      expected = BINARY_ONLY_DEFAULTS.get(field.name,
                                          getattr(defaults, field.name))
      assert FLAGS[field.name].default == expected, (cls.__name__, field.name)
      checked += 1
  assert checked > 60


def test_gan_takes_every_objective_field_by_its_name():
  defaults = ObjectiveConfig()
  options = {f.name: getattr(defaults, f.name)
             for f in dataclasses.fields(ObjectiveConfig)}
  assert objective_config(**options) == defaults
  assert objective_config(aw=True, loss="least_squares") == ObjectiveConfig(
      aw=True, loss="least_squares")
