"""The paper studies: scripts that train and evaluate runs with the library's
binaries, decide each paper claim by a rule frozen before the runs, and write
the sections of REPORT.md (`python -m studies.report`). Not installed with the
package: run from a checkout."""
