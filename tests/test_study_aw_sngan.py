"""Study 6 (studies/aw_sngan_fmnist.py): its rules decide paired per-seed
values the way round the claims go (numbers checked against a paired t
computed here), its reader keeps the two feature networks apart, and its
two flagfiles differ only in --aw."""

import json
import math
import os

import numpy as np
import pytest
from scipy import stats as scipy_stats

from studies import aw_sngan_fmnist as s6
from studies import paths
from studies.rules import INCONCLUSIVE, NOT_REPRODUCED, REPRODUCED


def _paired_interval(a, b):
  """95% t interval of mean(a - b), computed directly."""
  d = np.asarray(a, float) - np.asarray(b, float)
  half = scipy_stats.t.ppf(0.975, d.size - 1) * d.std(ddof=1) / math.sqrt(
      d.size)
  return d.mean() - half, d.mean() + half


def test_rules_name_their_outcomes_and_claims():
  assert [r.id for r in s6.RULES] == list(s6.CLAIMS)
  for rule in s6.RULES:
    text = rule.rule.lower()
    for outcome in ("reproduced if", "not reproduced if", "inconclusive if"):
      assert outcome in text, (rule.id, outcome)
    assert "paired" in text and "95%" in text
  assert "5,000" in s6.R_FID.rule and "training split" in s6.R_FID.rule


def test_fid_claim_paired_outcomes():
  plain = [30.0, 40.0, 50.0]
  # aw lower in every seed by 5 +- 1: the interval lies below 0.
  aw = [24.0, 35.0, 46.0]
  # Differences -6, -5, -4: mean -5, se 1 / sqrt(3), t(0.975, 2) = 4.303.
  low, high = _paired_interval(aw, plain)
  assert (low, high) == pytest.approx((-7.4841, -2.5159), abs=1e-4)
  d = s6.decide(s6.R_FID, aw, plain)
  assert d.verdict == REPRODUCED
  assert "aw-SN-GAN - SN-GAN = -5 FID, 95% CI [-7.48, -2.52]" in d.evidence
  assert "paired" in d.evidence and "n=3 pairs" in d.evidence
  # Pairing matters: the same arms unpaired (Welch) would not decide, since
  # the seeds' spread (10) dwarfs the difference.
  welch = scipy_stats.ttest_ind(aw, plain, equal_var=False)
  assert welch.pvalue > 0.05
  # aw higher in every seed: not reproduced.
  assert s6.decide(s6.R_FID, [36.0, 45.0, 54.0],
                   plain).verdict == NOT_REPRODUCED
  # Differences -3, +1, -1: the interval contains 0.
  d = s6.decide(s6.R_FID, [27.0, 41.0, 49.0], plain)
  assert d.verdict == INCONCLUSIVE and "contains 0" in d.evidence


def test_score_claims_read_higher_as_better():
  plain = [6.0, 6.5, 7.0]
  aw = [6.5, 7.1, 7.4]
  assert s6.decide(s6.R_SCORE_FINAL, aw, plain).verdict == REPRODUCED
  assert s6.decide(s6.R_SCORE_AUC, plain, aw).verdict == NOT_REPRODUCED
  # The same values as FD (lower is better) go the other way.
  assert s6.decide(s6.R_FD_FINAL, aw, plain).verdict == NOT_REPRODUCED


def test_too_few_seeds_and_failed_runs():
  d = s6.decide(s6.R_FID, [1.0], [2.0])
  assert d.verdict == INCONCLUSIVE and "too few seeds" in d.evidence
  d = s6.decide(s6.R_FID, [1.0, float("nan"), 3.0], [2.0, 3.0, 4.0])
  assert d.verdict == INCONCLUSIVE and "a run failed" in d.evidence


def test_decide_all_uses_each_rules_quantity():
  per = {s6.PLAIN: {"inception_fid": [30, 40, 50], "fd_final": [3, 4, 5],
                    "fd_auc": [6, 7, 8], "score_final": [6, 6.5, 7],
                    "score_auc": [5, 5.5, 6]},
         s6.AW: {"inception_fid": [25, 35, 45], "fd_final": [4, 5, 6],
                 "fd_auc": [6, 8, 7], "score_final": [6.5, 7.1, 7.4],
                 "score_auc": [4, 4.4, 5.1]}}
  got = {d.rule.id: d.verdict for d in s6.decide_all(per)}
  assert got == {"aw_inception_fid": REPRODUCED,
                 "aw_domain_fd_final": NOT_REPRODUCED,
                 "aw_domain_fd_auc": INCONCLUSIVE,
                 "aw_domain_score_final": REPRODUCED,
                 "aw_domain_score_auc": NOT_REPRODUCED}


def test_reader_keeps_networks_and_sample_counts_apart(tmp_path):
  def row(step, value, network, n=1000, ref=10000):
    return dict(step=step, metric="fid", value=value, feature_network=network,
                num_samples=n, reference_samples=ref)
  dom = "classifier_fashion_mnist_16px_ab"
  rows = [row(150, 9.0, dom), row(300, 7.0, dom),
          row(300, 80.0, "fid_inception_v3_port", 5000, 5000),
          row(300, 95.0, "fid_inception_v3_port", 250, 250),
          dict(step=300, metric="is", value=5.0, feature_network=dom,
               num_samples=1000)]
  (tmp_path / "eval_results.jsonl").write_text(
      "".join(json.dumps(r) + "\n" for r in rows))
  run = s6.read_run(str(tmp_path), 300, 5000)
  assert run.fd[1].tolist() == [9.0, 7.0]
  assert run.quantities() == {"inception_fid": 80.0, "fd_final": 7.0,
                              "fd_auc": 8.0, "score_final": 5.0,
                              "score_auc": 5.0}
  assert s6.inception_fid(str(tmp_path), 300, 250) == 95.0
  assert math.isnan(s6.inception_fid(str(tmp_path), 150, 5000))


def _settings(name):
  """The flag lines of a flagfile (comments and blank lines left out)."""
  with open(paths.config_path(name), encoding="utf8") as f:
    return [l.strip() for l in f if l.strip() and not l.startswith("#")]


def test_flagfiles_differ_only_in_aw():
  plain, aw = (_settings(s6.ARMS[arm]) for arm in (s6.PLAIN, s6.AW))
  assert len(plain) == len(aw)
  diff = [(a, b) for a, b in zip(plain, aw) if a != b]
  assert diff == [("--aw=false", "--aw=true")]
  # SN-GAN's settings, as the aw paper trains it.
  for line in ("--loss=hinge", "--d_steps=5", "--g_lr=2e-4", "--d_lr=2e-4",
               "--beta1=0.0", "--beta2=0.9", "--lr_decay=linear",
               "--batch_size=64", "--num_classes=0", "--aw_normalized=true",
               "--dataset=fashion_mnist", "--image_size=16"):
    assert line in plain, line


def test_committed_rules_match_the_code():
  path = os.path.join(paths.ROOT, "studies", "results", s6.KEY, "rules.json")
  if not os.path.exists(path):
    pytest.skip("rules not registered yet")
  with open(path, encoding="utf8") as f:
    frozen = {r["id"]: {k: v for k, v in r.items() if k != "registered"}
              for r in json.load(f)["rules"]}
  assert frozen == {r.id: r.record() for r in s6.RULES}
