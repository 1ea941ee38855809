"""The four papers the studies test, and for each registered claim a short
label and what the paper reports (its number where it gives one), for the
report's summary tables.

The paper cells quote the figures and numbers the registered claims cite
(studies/results/<key>/rules.json); where a paper shows an effect only in a
figure, the cell says so instead of inventing a number.
"""

from __future__ import annotations

import dataclasses
from typing import Optional, Sequence


@dataclasses.dataclass(frozen=True)
class Paper:
  """A paper and the studies (results keys) that test it."""
  name: str
  reference: str
  studies: tuple[str, ...]


PAPERS = (
    Paper("aw-loss", "Zadorozhnyy, Cheng, Ye, *Adaptive Weighted "
          "Discriminator for Training Generative Adversarial Networks*, "
          "CVPR 2021",
          ("aw_ring8", "aw_sngan")),
    Paper("MHGAN", "Kavalerov, Czaja, Chellappa, *A Multi-Class Hinge Loss "
          "for Conditional GANs*, WACV 2021",
          ("conditional_fmnist", "ssl_fmnist")),
    Paper("MAGAN", "Wang, Cully, Chang, Demiris, *MAGAN: Margin Adaptation "
          "for Generative Adversarial Networks*, 2017", ("magan_fmnist",)),
    Paper("SQD", "*Measuring GAN Training in Real Time* (ICLR 2021 "
          "submission, OpenReview kxcpPjZm4rx)", ("sqd_fmnist",)),
)

# rule id -> (short claim, what the paper reports).
CLAIMS: dict[str, tuple[str, str]] = {
    # Study 1 (aw_ring8)
    "coverage_final": ("plain collapses, aw covers all 8 modes",
                       "aw: all 8 modes (Fig. 6)"),
    "coverage_final_aw_short": ("plain collapses, aw covers all 8 modes",
                                "aw: all 8 modes (Fig. 6)"),
    "mode_changes": ("plain's samples move from mode to mode, aw's do not",
                     "figure only (Fig. 6)"),
    "coverage_assigned": ("plain collapses, aw covers all 8 modes (modes by "
                          "assigned share, fresh seeds)",
                          "aw: all 8 modes (Fig. 6)"),
    "dominant_mode_hops": ("plain's samples move from mode to mode, aw's do "
                           "not (dominant-mode hops, fresh seeds)",
                           "figure only (Fig. 6)"),
    "real_scores_higher": ("aw's D keeps high real scores on all 8 modes",
                           "figure only (Fig. 6 rows 2, 4)"),
    "plain_real_near_zero": ("plain's real scores near 0 and uneven",
                             "logit near 0 (probability 0.5), uneven "
                             "(Fig. 6 row 2)"),
    "angles_early": ("the applied D gradient opposes grad L_r often with the "
                     "plain loss, rarely with aw",
                     "figure only (Fig. 4, CIFAR-10 DCGAN)"),
    # Study 2 (conditional_fmnist)
    "mhgan_fd": ("MHGAN's FID below SAGAN's and ACGAN's",
                 "lowest of the three (Table 1)"),
    "mhgan_score": ("MHGAN's score above SAGAN's and ACGAN's",
                    "highest of the three (Table 1)"),
    "mhgan_intra_fd": ("MHGAN's intra-class FID below SAGAN's",
                       "lower (Fig. 4c)"),
    "acgan_below_sagan": ("ACGAN's FID worse than SAGAN's",
                          "FID 24.72 vs 16.39 (Table 1)"),
    "acgan_faster_class_info": ("ACGAN's G learns the classes sooner than "
                                "MHGAN's", "figure only (Fig. 7a)"),
    "aux_validation_similar": ("MHGAN's and ACGAN's aux heads equally "
                               "accurate", "about equal (Fig. 7a)"),
    "projection_chance": ("the projection D is no classifier (accuracy "
                          "near chance)", "about 1 / classes (Sec. 3.2)"),
    "mhshared_score": ("switching SAGAN to MHShared raises the score",
                       "IS 47.79 -> 169.68 in 5k steps (Sec. 3.2)"),
    "mhshared_fd": ("switching SAGAN to MHShared lowers the FID",
                    "FID 17.10 -> 8.87 (Sec. 3.2)"),
    "mhshared_diversity": ("the MHShared switch costs diversity",
                           "drops drastically (Fig. 8, 12)"),
    # Study 3 (ssl_fmnist)
    "ssl_fd_similar": ("MHGAN-SSL's FID close to ACGAN-SSL's",
                       "FID 26.12 for both (ImageNet-128)"),
    "ssl_score_similar": ("MHGAN-SSL's score close to ACGAN-SSL's",
                          "IS 32.40 vs 32.38"),
    "ssl_sample_accuracy_similar": ("MHGAN-SSL's samples show their class "
                                    "as well", "as well (self accuracy)"),
    "ssl_validation_accuracy_similar": ("MHGAN-SSL's classifier as accurate "
                                        "on held-out data",
                                        "about 40% for both"),
    "ssl_self_accuracy_80": ("both SSL GANs' self accuracy above 80%",
                             "high (the 80% level is the study's)"),
    "ssl_faster": ("MHGAN-SSL trains faster",
                   "best FID sooner (Fig. 10)"),
    # Study 4 (magan_fmnist)
    "ebgan_diverge": ("EBGAN: real energy falls, fake rises, gap widens",
                      "figure only (Fig. 1)"),
    "magan_tandem": ("MAGAN: real and fake energies fall together",
                     "figure only (Fig. 1)"),
    "margin_monotone": ("MAGAN's margin decreases monotonically",
                        "Sec. 3.3.1"),
    "convergence_falls": ("MAGAN's convergence measure falls",
                          "figure only (Fig. 4)"),
    "convergence_tracks_quality": ("the convergence measure tracks sample "
                                   "quality", "qualitative (Sec. 3.4, 4.5)"),
    "fd_vs_ebgan": ("MAGAN's FD below EBGAN's",
                    "no visible difference on MNIST (Sec. 4.2)"),
    "score_vs_ebgan": ("MAGAN's score above EBGAN's",
                       "higher (Table 1)"),
    "balanced_classes": ("MAGAN: all 10 classes, balanced",
                         "all 10 classes (Sec. 4.2)"),
    "stability_vs_ebgan": ("MAGAN trains more stably than EBGAN",
                           "qualitative (abstract, Sec. 5)"),
    "first_epoch_sensible": ("MAGAN's samples sensible after one epoch",
                             "figure only (Fig. 5b)"),
    "ebgan_diverge_paper_epoch": ("EBGAN: fake energy rises, gap widens "
                                  "(paper's epoch, fresh seeds)",
                                  "figure only (Fig. 1)"),
    "magan_tandem_paper_epoch": ("MAGAN: real and fake energies fall "
                                 "together (paper's epoch, fresh seeds)",
                                 "figure only (Fig. 1)"),
    "convergence_falls_paper_epoch": ("MAGAN's convergence measure falls "
                                      "(paper's epoch, fresh seeds)",
                                      "figure only (Fig. 4)"),
    "convergence_tracks_quality_paper_epoch": (
        "the convergence measure tracks quality better than EBGAN's "
        "(paper's epoch, fresh seeds)", "qualitative (Sec. 3.4, 4.5)"),
    "first_epoch_sensible_paper_epoch": ("MAGAN's samples sensible after one "
                                         "937-step epoch (fresh seeds)",
                                         "figure only (Fig. 5b)"),
    # Study 5 (sqd_fmnist)
    "gp_prevents_turning_points": ("turning points without GP, none with GP",
                                   "Sec. 4, Figures 3-5"),
    "turning_points_without_gp": ("every loss reaches a turning point "
                                  "without GP", "all four losses"),
    "wgan_quality_collapses": ("WGAN's Q collapses after its turning point",
                               "Q 0.243 vs 0.937 with GP (Table 2)"),
    "diversity_stays_low_after_turning_point": (
        "D falls after a turning point and stays low",
        "figure only (Fig. 5)"),
    "gp_improves_quality": ("GP raises Q", "every loss (Table 2)"),
    "gp_improves_diversity": ("GP raises D", "every loss (Table 2)"),
    "gp_improves_quality_every_loss": ("GP raises Q for every loss",
                                       "every loss (Table 2)"),
    "gp_improves_diversity_every_loss": ("GP raises D for every loss",
                                         "every loss (Table 2)"),
    "gp_fewer_angle_jumps": ("angles jump without GP, not with it",
                             "figure only (Fig. 3)"),
    "wgan_least_stable": ("WGAN without GP is the least stable loss",
                          "figure only (Fig. 3(d))"),
}


def _tests(paper: Paper, key: str) -> bool:
  """A listed key, or one that extends it (e.g. aw_sngan_fmnist)."""
  return any(key == s or key.startswith(s + "_") for s in paper.studies)


def paper_of(key: str) -> Optional[Paper]:
  """The paper a study (results key) tests, or None."""
  for paper in PAPERS:
    if _tests(paper, key):
      return paper
  return None


def group(keys: Sequence[str]) -> list[tuple[str, str, list[str]]]:
  """(paper name, reference, its studies among `keys`, in `keys`' order)
  in PAPERS' order; a study of no listed paper forms its own group (named
  by its key)."""
  out = []
  for paper in PAPERS:
    mine = [k for k in keys if _tests(paper, k)]
    if mine:
      out.append((paper.name, paper.reference, mine))
  out += [(k, "", [k]) for k in keys if paper_of(k) is None]
  return out


def claim(rule: str, fallback: str) -> tuple[str, str]:
  """(short claim, the paper's number) of a rule; `fallback` (the
  registered claim's text) and "" for a rule not listed."""
  return CLAIMS.get(rule, (fallback, ""))
