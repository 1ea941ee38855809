"""The study scripts' helpers: tables, sections, report assembly, spikes."""

import hashlib
import json
import os

import pytest

from studies import keys
from studies import paths
from studies import plan
from studies import readers
from studies import report_md
from studies import rules as sr
from studies import runner
from studies import sections


def test_markdown_table_and_fmt():
  table = sections.markdown_table(["a", "b"], [(1, "x"), (2.5, "y")])
  assert table.splitlines() == ["| a | b |", "|---|---|", "| 1 | x |",
                                "| 2.5 | y |"]
  # A '|' inside a cell is escaped, so the row keeps its columns; one
  # already escaped is left alone.
  piped = sections.markdown_table(["|x|"], [("plain |mean| 0.1",),
                                            (r"a \| b",)])
  assert piped.splitlines() == [r"| \|x\| |", "|---|",
                                r"| plain \|mean\| 0.1 |", r"| a \| b |"]
  assert sections.fmt(float("nan")) == "n/a" and sections.fmt(None) == "n/a"
  assert sections.fmt(1.23456, 2) == "1.23"


def test_section_writes_markdown_and_summary(tmp_path, monkeypatch):
  monkeypatch.chdir(tmp_path)
  run = runner.RunRecord("r", "runs/x", "python -m tfgan_ext.cli.train --x",
                         train_seconds=90.0, eval_seconds=30.0)
  section = sections.Section(
      key="k", title="Study 9: t", paper="p", script="studies.k",
      protocol=[("steps", "10")],
      claims=[sections.Claim("c", sr.REPRODUCED, "e")], body=["body text"],
      runs=[run])
  path = section.write()
  text = open(path).read()
  assert "| c | **reproduced** | e |" in text
  assert "| steps | 10 |" in text and "body text" in text
  assert "training 1.5 min, evaluation 0.5 min" in text
  summary = json.load(open(os.path.join(paths.RESULTS_ROOT, "k",
                                        "summary.json")))
  assert summary["claims"] == [{"text": "c", "verdict": "reproduced",
                                "evidence": "e"}]
  assert summary["train_seconds"] == 90.0


def test_report_gathers_sections_in_order(tmp_path, monkeypatch):
  monkeypatch.chdir(tmp_path)
  first, second = plan.STUDIES[0][1], plan.STUDIES[1][1]
  for key, verdict in ((first, sr.REPRODUCED), (second, sr.INCONCLUSIVE)):
    sections.Section(key=key, title=f"Study {key}: x", paper="p",
                     script=f"studies.{key}", protocol=[],
                     claims=[sections.Claim(f"claim {key}", verdict, "e")],
                     body=[], runs=[runner.RunRecord("r", "d", "cmd", 60.0,
                                                     0.0)]).write()
  text = open(report_md.write_report("REPORT.md")).read()
  assert text.index(f"## Study {first}") < text.index(f"## Study {second}")
  # Sections without rules.json are not re-decided: their own verdicts.
  assert (f"| `claim {second}` | claim {second} | inconclusive | "
          "**inconclusive** |") in text
  assert "decided by the study's own rule" in text
  assert "| **total** | 2.0 | 0.0 |" in text
  missing = plan.STUDIES[2][1]
  assert f"## {missing}\n\nNot run yet" in text
  assert "predate" not in text


def test_report_puts_the_findings_first_and_the_change_note_in_the_appendix(
    tmp_path, monkeypatch):
  monkeypatch.chdir(tmp_path)
  os.makedirs(paths.RESULTS_ROOT)
  with open(paths.CHANGES_FILE, "w", encoding="utf8") as f:
    f.write("## Status\n\nThese results predate fix X.\n")
  with open(os.path.join(paths.RESULTS_ROOT, "FINDINGS.md"), "w",
            encoding="utf8") as f:
    f.write("Found: {{tally}}.\n")
  text = open(report_md.write_report("REPORT.md")).read()
  found = text.index("## What we found")
  assert text.index("Found: 0 claims reproduced") > found
  assert found < text.index("## Summary") < text.index("## Appendix") < (
      text.index("These results predate fix X."))
  assert "### Status" in text  # The note's headings one level down.


def test_done_step_and_missing_flagfile(tmp_path):
  assert readers.done_step(str(tmp_path)) is None
  (tmp_path / "TRAINING_DONE").write_text(json.dumps({"step": 40}))
  assert readers.done_step(str(tmp_path)) == 40
  (tmp_path / "TRAINING_DONE").write_text("{")  # Unreadable: never reused.
  assert readers.done_step(str(tmp_path)) == -1
  with pytest.raises(FileNotFoundError, match="No flagfile"):
    paths.config_path("no_such_config")


def test_logged_seconds_sums_footers_and_absl_spans(tmp_path):
  log = tmp_path / "run.train.log"
  log.write_text(
      "\n$ python -m experiments.train --a\n"
      "I1122 10:00:00.000000 1 trainer.py:1] start\n"
      f"{runner.FOOTER} 12.5 s (exit 0)\n"
      "\n$ python -m experiments.train --a\n"      # An older job: no footer.
      "WARNING: not an absl line\n"
      "I1122 10:05:01.500000 1 trainer.py:1] start\n"
      "W1122 10:05:04.750000 1 trainer.py:2] end\n")
  assert runner.logged_seconds(str(log)) == pytest.approx(12.5 + 3.25)
  assert runner.logged_seconds(str(tmp_path / "missing.log")) == 0.0


def test_run_module_writes_a_footer_and_reports_failures(tmp_path):
  log = str(tmp_path / "job.log")
  seconds = runner.run_module("json.tool", ["--help"], log)
  text = open(log).read()
  assert text.startswith("\n$ python -m json.tool --help")
  assert f"{runner.FOOTER} " in text and "(exit 0)" in text
  assert runner.logged_seconds(log) == pytest.approx(seconds, abs=0.1)
  with pytest.raises(RuntimeError, match="failed .exit"):
    runner.run_module("json.tool", ["/no/such/file.json"], log)


@pytest.fixture
def finished_run(tmp_path, monkeypatch):
  """A model_dir whose training finished at step 5, and the list of train
  jobs runner.train starts (run_module is replaced by a recorder)."""
  monkeypatch.chdir(tmp_path)
  calls = []
  monkeypatch.setattr(runner, "run_module",
                      lambda module, args, log: calls.append(args) or 1.0)
  model_dir = str(tmp_path / "run")
  os.makedirs(model_dir)
  (tmp_path / "run" / "TRAINING_DONE").write_text(json.dumps({"step": 5}))
  return model_dir, calls


def test_train_reuses_only_a_run_with_the_same_command(tmp_path,
                                                        finished_run):
  model_dir, calls = finished_run
  first = runner.train("r", model_dir, "demo_digits", {"max_steps": 5})
  assert first.reused and not calls       # Legacy run: reused, key written.
  again = runner.train("r", model_dir, "demo_digits", {"max_steps": 5})
  assert again.reused and not calls
  with pytest.raises(ValueError, match="other settings"):
    runner.train("r", model_dir, "demo_digits", {"max_steps": 5, "seed": 3})
  longer = runner.train("r", str(tmp_path / "new"), "demo_digits",
                        {"max_steps": 9})
  assert not longer.reused and len(calls) == 1


def test_train_lengthens_a_finished_run_only_by_more_steps(tmp_path,
                                                           finished_run):
  import dataclasses
  from tfgan_ext.train.config import TrainConfig, save_config
  model_dir, calls = finished_run
  save_config(TrainConfig(), model_dir)
  short = {"max_steps": 5, "keep_checkpoints": 3, "seed": 1}
  assert runner.train("r", model_dir, "demo_digits", short).reused
  for other in ({**short, "max_steps": 3},            # Fewer steps.
                {**short, "max_steps": 9, "seed": 2}):  # Another flag too.
    with pytest.raises(ValueError, match="other settings"):
      runner.train("r", model_dir, "demo_digits", other)
  longer = {**short, "max_steps": 9, "keep_checkpoints": 7}
  record = runner.train("r", model_dir, "demo_digits", longer)
  assert not record.reused and len(calls) == 1
  assert f"--model_dir={model_dir}" in calls[0] and "--max_steps=9" in \
      calls[0]
  (tmp_path / "run" / "TRAINING_DONE").write_text(json.dumps({"step": 9}))
  # A run recorded with a first-format key is lengthened the same way.
  with open(model_dir + ".key", "w") as f:
    f.write(_old_train_key(model_dir, "--max_steps=9 --keep_checkpoints=7 "
                           "--seed=1", "experiments/configs/demo_digits.cfg"))
  record = runner.train("r", model_dir, "demo_digits",
                        {**longer, "max_steps": 11})
  assert not record.reused and len(calls) == 2
  # A learning rate that decays to 0 at max_steps is not lengthened.
  save_config(dataclasses.replace(TrainConfig(), lr_decay="linear"),
              model_dir)
  with pytest.raises(ValueError, match="other settings"):
    runner.train("r", model_dir, "demo_digits", {**longer, "max_steps": 12})
  assert len(calls) == 2


def _old_train_key(model_dir: str, flags: str, flagfile: str) -> str:
  """A key of the first format: the whole command, then the sha1."""
  with open(paths.config_path("demo_digits"), "rb") as f:
    sha1 = hashlib.sha1(f.read()).hexdigest()
  return (f"python -m experiments.train --flagfile={flagfile} "
          f"--model_dir={model_dir} {flags}\n{sha1}")


def test_train_reuses_a_first_format_key_of_the_same_settings(tmp_path,
                                                              finished_run):
  model_dir, calls = finished_run
  key_path = model_dir + ".key"
  # Recorded from another checkout and runs folder: other paths, same
  # settings. The run is reused and its key rewritten in the new format.
  with open(key_path, "w") as f:
    f.write(_old_train_key("/elsewhere/runs/studies/k/run", "--max_steps=5 "
                           "--seed=1", "../old/configs/demo_digits.cfg"))
  record = runner.train("r", model_dir, "demo_digits",
                        {"seed": 1, "max_steps": 5})
  assert record.reused and not calls
  with open(key_path) as f:
    text = f.read()
  assert text.startswith("{") and "elsewhere" not in text
  assert json.loads(text)["flags"] == {"max_steps": "5", "seed": "1"}
  assert runner.train("r", model_dir, "demo_digits",
                      {"seed": 1, "max_steps": 5}).reused
  # A changed flag is refused, whichever format recorded the run.
  for recorded in (text, _old_train_key(model_dir, "--max_steps=5 --seed=1",
                                        "experiments/configs/x.cfg")):
    with open(key_path, "w") as f:
      f.write(recorded)
    with pytest.raises(ValueError, match="other settings"):
      runner.train("r", model_dir, "demo_digits", {"seed": 2, "max_steps": 5})
  assert not calls


def test_train_reuses_a_run_of_a_flagfile_version_before_its_comments_changed(
    tmp_path, finished_run):
  # The study flagfiles whose comments changed after runs recorded
  # first-format keys: such a key (the earlier bytes' sha1) is reused.
  model_dir, calls = finished_run
  with open(keys.HISTORY_FILE) as f:
    versions = json.load(f)["flagfiles"]["sqd_fmnist_hinge.cfg"]
  with open(paths.config_path("sqd_fmnist_hinge"), "rb") as f:
    assert hashlib.sha1(f.read()).hexdigest() != versions[0]["bytes_sha1"]
  with open(model_dir + ".key", "w") as f:
    f.write("python -m experiments.train --flagfile=experiments/configs/"
            f"sqd_fmnist_hinge.cfg --model_dir={model_dir} --seed=0 "
            f"--max_steps=5\n{versions[0]['bytes_sha1']}")
  assert runner.train("r", model_dir, "sqd_fmnist_hinge",
                      {"seed": 0, "max_steps": 5}).reused
  assert not calls


def test_train_reuses_a_run_whose_flagfile_moved(tmp_path, finished_run,
                                                 monkeypatch):
  model_dir, calls = finished_run
  flags = {"seed": 1, "max_steps": 5}
  assert runner.train("r", model_dir, "demo_digits", flags).reused
  moved = tmp_path / "moved_configs"
  moved.mkdir()
  with open(paths.config_path("demo_digits"), "rb") as f:
    content = f.read()
  (moved / "demo_digits.cfg").write_bytes(content)
  monkeypatch.setattr(paths, "CONFIGS", str(moved))
  assert paths.config_path("demo_digits").startswith(str(moved))
  assert runner.train("r", model_dir, "demo_digits", flags).reused
  # A comment edited: the settings are the same.
  (moved / "demo_digits.cfg").write_bytes(b"# Moved.\n" + content)
  assert runner.train("r", model_dir, "demo_digits", flags).reused
  (moved / "demo_digits.cfg").write_bytes(content + b"--seed=3\n")
  with pytest.raises(ValueError, match="other settings"):
    runner.train("r", model_dir, "demo_digits", flags)
  assert not calls


def test_evaluate_runs_once_per_command_on_a_reused_run(tmp_path, monkeypatch):
  calls = []
  monkeypatch.setattr(runner, "run_module",
                      lambda module, args, log: calls.append(args) or 1.0)
  model_dir = str(tmp_path / "run")
  record = runner.RunRecord("r", model_dir, "cmd", reused=True)
  runner.evaluate(record, "fid", {"num_samples": 10})
  assert len(calls) == 1                  # No record of a finished eval yet.
  runner.evaluate(record, "fid", {"num_samples": 10})
  assert len(calls) == 1                  # Same command, reused run: skipped.
  runner.evaluate(record, "fid,is", {"num_samples": 10})
  assert len(calls) == 2                  # Another command runs.
  # A first-format key (the eval command, with this run's old path) of
  # the same settings counts as complete, and is rewritten.
  with open(model_dir + ".eval.key", "w") as f:
    f.write("python -m eval.run --model_dir=/old/place/run --metrics=fid "
            "--timeout=0 --poll_interval=1 --progress_every=600 "
            "--num_samples=10")
  runner.evaluate(record, "fid", {"num_samples": 10})
  assert len(calls) == 2
  with open(model_dir + ".eval.key") as f:
    assert json.loads(f.read())["flags"] == {"metrics": "fid",
                                             "num_samples": "10"}
  runner.evaluate(record, "fid", {"num_samples": 11})
  assert len(calls) == 3                  # Other settings run.
  fresh = runner.RunRecord("r", model_dir, "cmd", reused=False)
  runner.evaluate(fresh, "fid,is", {"num_samples": 10})
  assert len(calls) == 4                  # A retrained run is evaluated.


def test_quick_sections_live_apart_and_show_their_rules(tmp_path, monkeypatch):
  monkeypatch.chdir(tmp_path)
  key = plan.STUDIES[0][1]
  rule = sr.Rule("gap", "X beats Y", "X above Y by the summed std")
  runner.register_rules(key, [rule])
  decision = sr.compare(rule, sr.SeedStats.of([3, 4, 5]),
                        sr.SeedStats.of([0, 1, 2]), True, ("X", "Y"))
  section = sections.Section(key=key, title="Study 1: q", paper="p",
                             script="studies.s", protocol=[],
                             claims=[sections.Claim.decided(decision)],
                             body=[], runs=[], rules=[rule], quick=True)
  path = section.write()
  assert path == os.path.join(paths.RESULTS_ROOT, key, "quick", "section.md")
  text = open(path).read()
  assert "`python -m studies.s --quick`" in text
  assert "| `gap` | X beats Y | X above Y by the summed std |" in text
  assert "| X beats Y (rule `gap`) | **reproduced** |" in text
  amended = sr.Rule("gap2", "X beats Y", "X above Y", amends="gap",
                    why_amended="w")
  claim = sections.Claim.decided(sr.Decision(amended, sr.INCONCLUSIVE, "e"))
  assert claim.text == "X beats Y (rule `gap2`, amending `gap` after the " \
      "runs)"
  report = open(report_md.write_report("REPORT.md")).read()
  assert "**Quick version**" in report   # The quick section stands in.
  sections.Section(key=key, title="Study 1: full", paper="p", script="s",
                   protocol=[], claims=[], body=[], runs=[]).write()
  assert "**Quick version**" not in open(report_md.write_report("R.md")).read()
  quick_report = open(report_md.write_report("R.md", quick=True)).read()
  assert "**Quick version**" in quick_report  # Its own, not the full one.
  assert "Study 1: full" not in quick_report


def test_stream_plan_splits_every_study_once_and_filters():
  modules = [m for m, _ in plan.STUDIES]
  assert plan.stream_plan(1) == [modules]
  two = plan.stream_plan(2)
  assert len(two) == 2 and sorted(sum(two, [])) == sorted(modules)
  # Study 2 trains the 16px classifier before study 3's stream reaches it.
  assert two[1][0] == "studies.conditional_fmnist"
  assert plan.stream_plan(2, ["ssl_fmnist", "studies.sqd_fmnist"]) == [
      ["studies.ssl_fmnist"], ["studies.sqd_fmnist"]]
  assert plan.stream_plan(2, ["magan_fmnist"]) == [["studies.magan_fmnist"]]
  # The scripts' former names (experiments/study_*.py) still select them.
  assert plan.stream_plan(1, ["study_ssl", "study_conditional"]) == [
      ["studies.conditional_fmnist", "studies.ssl_fmnist"]]
  with pytest.raises(ValueError, match="Unknown study .study_x.*ssl_fmnist"):
    plan.stream_plan(1, ["study_x"])
  with pytest.raises(ValueError, match="streams must be"):
    plan.stream_plan(3)


def test_run_streams_runs_sequences_concurrently_and_in_order():
  import threading
  barrier = threading.Barrier(2, timeout=30)
  order, lock = [], threading.Lock()

  def run_one(module):
    if module in ("a1", "b1"):
      barrier.wait()  # Times out (BrokenBarrierError) unless both run at once.
    with lock:
      order.append(module)
    if module == "b2":
      raise RuntimeError("b2 failed")

  with pytest.raises(RuntimeError, match="b2 failed"):
    plan.run_streams([["a1", "a2", "a3"], ["b1", "b2", "b3"]], run_one)
  assert [m for m in order if m[0] == "a"] == ["a1", "a2", "a3"]
  assert [m for m in order if m[0] == "b"] == ["b1", "b2"]  # b3: stopped.
  order.clear()
  plan.run_streams([["x", "y"]], run_one)
  assert order == ["x", "y"]


def test_classifier_lock_serialises_studies(tmp_path, monkeypatch):
  import threading
  monkeypatch.setattr(runner, "CLASSIFIERS_DIR", str(tmp_path / "classifiers"))
  inside, most = [0], [0]
  guard = threading.Lock()

  def fake(dataset, image_size, channels, out):  # Saves nothing: all train.
    with guard:
      inside[0] += 1
      most[0] = max(most[0], inside[0])
    threading.Event().wait(0.2)
    with guard:
      inside[0] -= 1
    return "info"

  monkeypatch.setattr(runner.domain_classifier, "train_and_save", fake)
  threads = [threading.Thread(target=runner.ensure_classifier,
                              args=("fashion_mnist", 16)) for _ in range(3)]
  for t in threads:
    t.start()
  for t in threads:
    t.join()
  assert most[0] == 1
  assert runner.ensure_classifier("fashion_mnist", 16) == (
      str(tmp_path / "classifiers" / "fashion_mnist_16px"), "info")
