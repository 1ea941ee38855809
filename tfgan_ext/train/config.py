"""The run configuration's names under their earlier module path.

TrainConfig lives in `tfgan_ext.config` (below the train package, so that
`tfgan_ext.workspace` can use it without importing train); reading and
writing config.json lives in `tfgan_ext.workspace`.
"""

from __future__ import annotations

from tfgan_ext.config import (FAKE_LABELS, LR_DECAYS, OPTIMIZERS, TrainConfig,
                              shaping_fields)
from tfgan_ext.models import ModelConfig
from tfgan_ext.objectives.config import ObjectiveConfig
from tfgan_ext.workspace import (CONFIG_FILE, check_resume_compatible,
                                 load_saved_config, load_train_config,
                                 save_config)

__all__ = ["CONFIG_FILE", "FAKE_LABELS", "LR_DECAYS", "ModelConfig",
           "OPTIMIZERS", "ObjectiveConfig", "TrainConfig",
           "check_resume_compatible", "load_saved_config", "load_train_config",
           "save_config", "shaping_fields"]
