"""Run-reuse keys of the studies: settings only, in both key formats."""

import hashlib
import json

from studies import keys

FLAGFILE = b"# A comment.\n--dataset=digits\n\n// Another.\n--seed=1  \n"
SETTINGS = "--dataset=digits\n--seed=1"  # What absl reads from FLAGFILE.
RAW_SHA = hashlib.sha1(FLAGFILE).hexdigest()


def test_train_key_is_the_flagfile_settings_and_sorted_flags():
  assert keys.flagfile_settings(FLAGFILE) == SETTINGS
  key = keys.train_key(FLAGFILE, {"seed": 1, "max_steps": 5, "aw": True})
  assert key == keys.JobKey(
      keys.TRAIN, {"aw": "true", "max_steps": "5", "seed": "1"},
      hashlib.sha1(SETTINGS.encode()).hexdigest())
  assert list(key.flags) == ["aw", "max_steps", "seed"]
  # Comments and blank lines are not settings; a changed value is.
  assert keys.train_key(b"--dataset=digits\n# new note\n--seed=1\n",
                        {"seed": 1, "max_steps": 5, "aw": True}) == key
  assert keys.train_key(b"--dataset=mnist\n--seed=1\n",
                        {"seed": 1, "max_steps": 5, "aw": True}) != key
  # The text names neither a path nor a module; it parses back to the key.
  text = key.text()
  assert "configs" not in text and "python" not in text
  assert keys.parse(text, keys.TRAIN) == key
  assert keys.parse(text, keys.EVAL) is None  # Another job's key.


def test_first_format_keys_reduce_to_the_same_settings():
  old_train = ("python -m experiments.train --flagfile=experiments/configs/"
               "x.cfg --model_dir=runs/studies/k/r --seed=1 --aw=true "
               f"--max_steps=5\n{RAW_SHA}")
  current = keys.train_key(FLAGFILE, {"max_steps": 5, "seed": 1, "aw": True})
  assert keys.parse(old_train, keys.TRAIN, FLAGFILE) == current
  # Its sha1 is of the file's bytes: a comment changed since is a change.
  assert keys.parse(old_train, keys.TRAIN, FLAGFILE + b"# x\n") != current
  assert keys.parse(old_train, keys.TRAIN) != current
  old_eval = ("python -m eval.run --model_dir=runs/studies/k/r --metrics=fid"
              " --timeout=0 --poll_interval=1 --progress_every=600 "
              "--num_samples=10")
  assert keys.parse(old_eval, keys.EVAL) == keys.eval_key(
      "fid", {"num_samples": 10})
  assert keys.parse(old_eval, keys.EVAL) != keys.eval_key(
      "fid,is", {"num_samples": 10})
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
      edited, {"max_steps": 5})
  changed = FLAGFILE.replace(b"digits", b"mnist")
  assert keys.parse(old, keys.TRAIN, changed, str(history)) != \
      keys.train_key(changed, {"max_steps": 5})
  # Unlisted: only the recorded bytes sha1, which matches no current key.
  assert keys.parse(old, keys.TRAIN, edited, str(tmp_path / "none.json")
                    ).flagfile_sha1 == RAW_SHA


def test_lengthens_only_by_more_steps_of_the_same_settings():
  base = keys.train_key(b"a", {"max_steps": 5, "keep_checkpoints": 3,
                               "seed": 1})
  longer = keys.train_key(b"a", {"max_steps": 9, "keep_checkpoints": 7,
                                 "seed": 1})
  assert keys.lengthens(base, longer)
  assert not keys.lengthens(longer, base)                       # Shorter.
  assert not keys.lengthens(base, keys.train_key(               # Other file.
      b"b", {"max_steps": 9, "keep_checkpoints": 7, "seed": 1}))
  assert not keys.lengthens(base, keys.train_key(               # Other flag.
      b"a", {"max_steps": 9, "keep_checkpoints": 7, "seed": 2}))
  assert not keys.lengthens(keys.train_key(b"a", {"seed": 1}),  # No steps.
                            keys.train_key(b"a", {"seed": 1, "max_steps": 9}))
