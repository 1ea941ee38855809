"""The paper studies: scripts that train and evaluate runs with the
library's binaries, decide each paper claim by a rule frozen before the
runs, and write the sections of REPORT.md. Run from a checkout (this
package is not installed with tfgan_ext):

  python -m studies.report [--streams=2] [--quick] [--norun]
  python -m studies.<key> [--quick] [--register_only]

Modules:
- aw_ring8, conditional_fmnist, ssl_fmnist, magan_fmnist, sqd_fmnist: the
  five studies, each named after its results key;
- options: the flags every study shares; paths: where they read and write;
- keys: path-independent reuse keys of the train and eval jobs;
- runner: running (and reusing) train / eval jobs, registering rules;
- readers: TRAINING_DONE, eval rows and TensorBoard scalars of a run;
- trends: whether a curve is still improving (the rules' stopping gates);
- rules: the pre-registered rules and their decisions over seeds;
- stats, amendments, redecide: the t rule (95% t intervals), its
  registration as an amendment of every comparison claim, and the
  re-decision of the committed claims under it;
- sections, figures: a study's section, summary and PNG figures;
- verdicts, papers, findings, appendix: the report's verdict rows and
  tallies, the papers' claims, the findings page and its number check,
  the rules / protocol / run commands of the appendix;
- plan, report_md, report: which studies run, REPORT.md, and the binary.
"""
