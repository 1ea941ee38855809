"""Run-reuse keys of the studies: settings only, in both key formats."""

import hashlib
import json

from studies import keys

FLAGFILE = b"# A comment.\n--dataset=digits\n\n// Another.\n--seed=1  \n"
SETTINGS = "--dataset=digits\n--seed=1"  # What absl reads from FLAGFILE.
RAW_SHA = hashlib.sha1(FLAGFILE).hexdigest()
RUN = "runs/studies/k/r"
FLAGS = {"seed": 1, "max_steps": 5, "aw": True}


def test_train_key_is_the_flagfile_settings_and_sorted_flags():
  assert keys.flagfile_settings(FLAGFILE) == SETTINGS
  key = keys.train_key(FLAGFILE, FLAGS, RUN)
  assert key == keys.JobKey(
      keys.TRAIN, {"aw": "true", "max_steps": "5", "seed": "1"},
      hashlib.sha1(SETTINGS.encode()).hexdigest())
  assert list(key.flags) == ["aw", "max_steps", "seed"]
  # Comments and blank lines are not settings; a changed value is.
  assert keys.train_key(b"--dataset=digits\n# new note\n--seed=1\n", FLAGS,
                        RUN) == key
  assert keys.train_key(b"--dataset=mnist\n--seed=1\n", FLAGS, RUN) != key
  # The text names neither a path nor a module; it parses back to the key.
  text = key.text()
  assert "runs" not in text and "python" not in text
  assert keys.parse(text, keys.TRAIN) == key
  assert keys.parse(text, keys.EVAL) is None  # Another job's key.


def test_path_flags_are_recorded_by_what_they_name(tmp_path):
  fork = {"init_from": "runs/studies/k/base_s0/ckpt-10",
          "classifier_path": "classifiers/fashion_mnist_16px"}
  key = keys.train_key(b"", fork, "runs/studies/k/fork_s0")
  assert key.flags == {"classifier_path": "<elsewhere>/fashion_mnist_16px",
                       "init_from": "<runs>/base_s0/ckpt-10"}
  # The same runs under another root, the classifier in another checkout.
  moved = {"init_from": str(tmp_path / "k" / "base_s0" / "ckpt-10"),
           "classifier_path": "/elsewhere/classifiers/fashion_mnist_16px"}
  assert keys.train_key(b"", moved, str(tmp_path / "k" / "fork_s0")) == key
  assert keys.train_key(b"", {**fork, "init_from": "runs/studies/k/base_s0/"
                              "ckpt-20"}, "runs/studies/k/fork_s0") != key
  evaluation = keys.eval_key("fid", {"classifier_path": moved[
      "classifier_path"]}, RUN)
  assert evaluation.flags == {"classifier_path":
                              "<elsewhere>/fashion_mnist_16px",
                              "metrics": "fid"}
  assert keys.is_path_flag("data_dir") and not keys.is_path_flag("seed")


def test_first_format_keys_reduce_to_the_same_settings():
  old_train = ("python -m experiments.train --flagfile=experiments/configs/"
               "x.cfg --model_dir=old/runs/k/r --seed=1 --aw=true "
               "--max_steps=5 --init_from=old/runs/k/base/ckpt-10\n"
               f"{RAW_SHA}")
  current = keys.train_key(FLAGFILE, {**FLAGS, "init_from": "runs/studies/"
                                      "k/base/ckpt-10"}, RUN)
  assert keys.parse(old_train, keys.TRAIN, FLAGFILE) == current
  # Its sha1 is of the file's bytes: a comment changed since is a change.
  assert keys.parse(old_train, keys.TRAIN, FLAGFILE + b"# x\n") != current
  assert keys.parse(old_train, keys.TRAIN) != current
  old_eval = ("python -m eval.run --model_dir=runs/studies/k/r --metrics=fid"
              " --timeout=0 --poll_interval=1 --progress_every=600 "
              "--num_samples=10 --classifier_path=classifiers/c_16px")
  flags = {"num_samples": 10, "classifier_path": "/x/classifiers/c_16px"}
  assert keys.parse(old_eval, keys.EVAL) == keys.eval_key("fid", flags, RUN)
  assert keys.parse(old_eval, keys.EVAL) != keys.eval_key("fid,is", flags,
                                                          RUN)
  for junk in ("", "garbage", '{"format": 9}', "{not json"):
    assert keys.parse(junk, keys.TRAIN) is None


def test_first_format_key_of_an_earlier_flagfile_version(tmp_path):
  history = tmp_path / "history.json"
  history.write_text(json.dumps({"flagfiles": {"x.cfg": [
      {"bytes_sha1": RAW_SHA,
       "settings_sha1": keys.settings_sha1(FLAGFILE)}]}}))
  old = f"python -m experiments.train --max_steps=5\n{RAW_SHA}"
  edited = b"# The comment was edited.\n" + FLAGFILE
  assert keys.parse(old, keys.TRAIN, edited, str(history)) == keys.train_key(
      edited, {"max_steps": 5}, RUN)
  changed = FLAGFILE.replace(b"digits", b"mnist")
  assert keys.parse(old, keys.TRAIN, changed, str(history)) != \
      keys.train_key(changed, {"max_steps": 5}, RUN)
  # Unlisted: only the recorded bytes sha1, which matches no current key.
  assert keys.parse(old, keys.TRAIN, edited, str(tmp_path / "none.json")
                    ).flagfile_sha1 == RAW_SHA


def test_lengthens_only_by_more_steps_of_the_same_settings():
  def key(flagfile, **flags):
    return keys.train_key(flagfile, flags, RUN)
  base = key(b"a", max_steps=5, keep_checkpoints=3, seed=1)
  longer = key(b"a", max_steps=9, keep_checkpoints=7, seed=1)
  assert keys.lengthens(base, longer)
  assert not keys.lengthens(longer, base)                            # Shorter.
  assert not keys.lengthens(base, key(b"b", max_steps=9,             # File.
                                      keep_checkpoints=7, seed=1))
  assert not keys.lengthens(base, key(b"a", max_steps=9,             # Flag.
                                      keep_checkpoints=7, seed=2))
  assert not keys.lengthens(key(b"a", seed=1),                       # Steps.
                            key(b"a", seed=1, max_steps=9))
