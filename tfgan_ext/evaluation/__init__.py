"""Evaluation jobs: metrics of a model_dir's checkpoints, polling, reports."""

from tfgan_ext.evaluation.conditioning import (ClassScorer, accuracy,
                                               conditioning_on_real,
                                               find_head_scorer,
                                               projection_logits,
                                               projection_scorer)
from tfgan_ext.evaluation.evaluator import (CONDITIONING_METRICS,
                                            PRDC_METRICS,
                                            REFERENCE_FEATURE_METRICS,
                                            SAMPLE_METRICS,
                                            CheckpointUnavailable, Evaluator,
                                            parse_metrics)
from tfgan_ext.evaluation.metric_registry import (Metric, MetricRegistry,
                                                  MetricResult, Need)
from tfgan_ext.evaluation.polling import (PollSummary, check_poll_settings,
                                          evaluate_once, list_checkpoints,
                                          poll, read_done_step,
                                          timeout_from_flag)
from tfgan_ext.evaluation.sampling import NonFiniteSamplesError
from tfgan_ext.evaluation.protocol import PRESETS, EvalProtocol, preset
from tfgan_ext.evaluation.results import (RESULTS_FILE, ResultsFile,
                                          format_table, read_rows)

__all__ = [
    "CONDITIONING_METRICS", "CheckpointUnavailable", "ClassScorer",
    "EvalProtocol", "Evaluator", "Metric", "MetricRegistry", "MetricResult",
    "Need", "NonFiniteSamplesError", "PRDC_METRICS", "PRESETS", "PollSummary",
    "check_poll_settings",
    "REFERENCE_FEATURE_METRICS", "RESULTS_FILE", "ResultsFile",
    "SAMPLE_METRICS", "accuracy", "conditioning_on_real",
    "evaluate_once", "find_head_scorer", "format_table", "list_checkpoints",
    "parse_metrics", "poll", "preset", "projection_logits", "projection_scorer",
    "read_done_step", "read_rows", "timeout_from_flag",
]
