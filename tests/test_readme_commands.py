"""Every code block of README.md and docs/*.md runs, as written.

Blocks are told apart by their language tag:

* ```sh / ```bash: each command runs in bash, unchanged except for the flags
  its COMMANDS entry appends (sizes only: step and sample counts, widths),
  inside a sandbox: a temporary directory holding symlinks to the project's
  sources, so relative outputs (demo_run/, runs/, classifiers/, report/)
  land there, and `/tmp/...` paths are moved into it. HOME and
  TFHUB_CACHE_DIR are empty directories, so nothing a developer's machine
  holds (TFDS data, TF-Hub modules, the imported FID Inception) changes the
  outcome. The commands of one block run in order in one sandbox (a later
  one uses what an earlier one wrote). `make` lines get `-n` (the target
  must exist; nothing is built); `tensorboard` lines get `--inspect` (it
  reads the logdir's events and exits).
* ```python: the block is written to a file and run with `python` from a
  directory that holds no sources (PYTHONPATH points at the checkout, as an
  installed package would be found), after its PYTHON_BLOCKS entry's set-up
  and substitutions (sizes only).
* SKIP_LANGUAGES (```text for output and file listings, ```ini for flagfile
  snippets) are not commands and are skipped by that rule. Any other tag, or
  none, fails test_every_block_has_a_known_language.

A command that cannot run offline on a CPU (a package install, a second
host, a TPU) has a COMMANDS entry with `skip=` and the reason; its test is
reported as skipped with that reason.

To cover a new command, add one line to COMMANDS: its leading text (the
longest matching prefix wins), the flags appended here, and the expected
outcome: success (optionally a fragment of its stdout) or the fragment of
its clear error (exit code 2, no traceback). A new Python block needs a
PYTHON_BLOCKS entry, keyed by a fragment of its text. A command or block
without an entry fails its test and says so.

Speed. Most of a command's cost is starting Python and importing TensorFlow
(about 10 s of CPU). So `python` in the sandbox is a small client that asks
a server started once per module (the "zygote", this file run as a script),
which has imported TensorFlow and Keras and nothing of this project, to
fork a child that runs the command's `-m module`, `-c code` or script with
the command's argv, working directory, environment and standard streams;
the child's exit code is the command's. Console scripts (`tfgan-ext-*`,
`tensorboard`) are clients too: they run the entry point named in
pyproject.toml's [project.scripts] (before that file exists: the binary's
`python -m` module, CONSOLE_SCRIPTS); the packaging test runs the installed
scripts themselves. Set TFGAN_DOCS_NO_ZYGOTE=1 to run every command in a
fresh interpreter instead; TFGAN_DOCS_CPU_LOG=FILE appends each command's
CPU seconds to FILE (to see where this file's time goes).

The block holding MADE_BY (the README's demo, at tiny sizes) runs first;
its run, its digits classifier and an export of its generator are what the
other blocks start from (Made). The other blocks run two at a time,
costliest first, and only the blocks of the selected tests run (`-k`
narrows to single blocks).
"""

from __future__ import annotations

import concurrent.futures
import dataclasses
import glob
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
from typing import Callable, Optional

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
README = "README.md"
DOCS = [README] + sorted(
    os.path.relpath(p, ROOT) for p in glob.glob(os.path.join(ROOT, "docs",
                                                             "*.md")))
SOURCES = ("Makefile", "requirements.txt", "tfgan_ext", "eval", "experiments",
           "bench", "tests")  # What a shell sandbox links to.
README_MAX_LINES = 160
TIMEOUT = 600
EXIT_BAD_INPUT = 2  # tfgan_ext.errors.EXIT_BAD_INPUT (not imported: see above).

SHELL_LANGUAGES = ("sh", "bash", "shell")
PYTHON_LANGUAGES = ("python",)
SKIP_LANGUAGES = {
    "text": "output excerpts and file listings, not commands",
    "ini": "flagfile snippets, not commands (tests/test_flagfiles.py checks "
           "the flagfiles themselves)",
}
# Console scripts and the binary each one runs, until pyproject.toml names
# their entry points.
CONSOLE_SCRIPTS = {
    "tfgan-ext-train": "experiments.train",
    "tfgan-ext-eval": "eval.run",
    "tfgan-ext-sample": "eval.sample",
    "tfgan-ext-export": "eval.export_generator",
    "tfgan-ext-write-stats": "eval.write_stats",
    "tfgan-ext-import-inception": "eval.import_inception",
    "tfgan-ext-train-classifier": "eval.train_classifier",
    "tfgan-ext-demo": "experiments.demo",
    "tfgan-ext-report": "eval.report",
}
ZYGOTE_ENV = "TFGAN_DOCS_ZYGOTE"   # The server's socket, in a sandbox's env.
NO_ZYGOTE_ENV = "TFGAN_DOCS_NO_ZYGOTE"
CPU_LOG_ENV = "TFGAN_DOCS_CPU_LOG"  # A file: each command's CPU seconds.


# ------------------------------------------------------------------ parsing
@dataclasses.dataclass(frozen=True)
class Block:
  """One fenced code block of a document."""
  doc: str            # Path relative to ROOT.
  line: int           # Line of the opening fence (1-based).
  language: str       # The fence's tag ("" when none).
  text: str           # The block's body.

  @property
  def id(self) -> str:
    return f"{self.doc}:{self.line}"

  @property
  def commands(self) -> list[str]:
    """A shell block's commands: continuation lines joined, comments and
    blank lines dropped."""
    return _commands(self.text.splitlines())


def parse_blocks(text: str, doc: str = "") -> list[Block]:
  """Every fenced block of a markdown text, in order."""
  blocks, body, start, language = [], None, 0, ""
  for number, line in enumerate(text.splitlines(), 1):
    fence = re.match(r"^\s*```\s*(\S*)", line)
    if fence and body is None:
      body, start, language = [], number, fence.group(1)
    elif fence:
      blocks.append(Block(doc, start, language, "\n".join(body)))
      body = None
    elif body is not None:
      body.append(line)
  return blocks


def _commands(lines: list[str]) -> list[str]:
  joined = re.sub(r"\\\n\s*", "", "\n".join(lines))
  out = []
  for line in joined.splitlines():
    line = re.sub(r"(^|\s)#\s.*$", "", line).strip()  # A trailing comment.
    if line:
      out.append(re.sub(r"\s+", " ", line))
  return out


def _read(doc: str) -> str:
  with open(os.path.join(ROOT, doc), encoding="utf8") as f:
    return f.read()


BLOCKS = [b for doc in DOCS for b in parse_blocks(_read(doc), doc)]
SHELL_BLOCKS = [b for b in BLOCKS if b.language in SHELL_LANGUAGES]
PYTHON_BLOCKS_FOUND = [b for b in BLOCKS if b.language in PYTHON_LANGUAGES]
SHELL_COMMANDS = [(b, c) for b in SHELL_BLOCKS for c in b.commands]


def test_parser_joins_continuations_and_drops_comments():
  text = ("prose\n```sh\nmake demo   # builds it\n\npython -m a --x=1 \\\n"
          "    --y=2\n```\n```json\n{\"a\": 1}\n```\n```bash\n# only a comment"
          "\necho '#1'\n```\n")
  blocks = parse_blocks(text, "x.md")
  assert [(b.line, b.language) for b in blocks] == [
      (2, "sh"), (8, "json"), (11, "bash")]
  assert blocks[0].commands == ["make demo", "python -m a --x=1 --y=2"]
  assert blocks[2].commands == ["echo '#1'"]


# ------------------------------------------------------- how blocks run here
@dataclasses.dataclass(frozen=True)
class Made:
  """What the module made once, for blocks to start from: the outputs of
  the block holding MADE_BY (the demo, at tiny sizes), and its export."""
  trained: str      # The demo's run: a tiny demo-shaped digits run.
  classifier: str   # The digits domain classifier the demo trained (16x16).
  exported: str     # The trained run's generator, exported.
  results: dict     # That block's outcomes, as `outcomes` holds them.


Setup = Callable[[str, Made], None]  # (sandbox, made)


def demo_run(sandbox: str, made: Made) -> None:
  """./demo_run: the tiny digits run (as `make demo` leaves it, smaller)."""
  target = os.path.join(sandbox, "demo_run")
  if not os.path.exists(target):  # Once per block.
    shutil.copytree(made.trained, target)


def digits_classifier(sandbox: str, made: Made) -> None:
  """./classifiers/digits_16px, as the demo leaves it."""
  target = os.path.join(sandbox, "classifiers", "digits_16px")
  if not os.path.exists(target):
    shutil.copytree(made.classifier, target)


def run_logs(sandbox: str, made: Made) -> None:
  """/tmp/sagan_cifar10 holding a run's TensorBoard logs (the tiny run's)."""
  shutil.copytree(made.trained, os.path.join(sandbox, "tmp", "sagan_cifar10"))


def fashion_mnist_files(sandbox: str, made: Made) -> None:
  """./fmnist: tiny Fashion-MNIST IDX files (64 train, 32 test images of
  random pixels; --data_dir points here, so an installed copy is unused)."""
  del made
  import gzip
  import numpy as np
  rng = np.random.default_rng(0)
  folder = os.path.join(sandbox, "fmnist")
  os.makedirs(folder)
  for prefix, n in (("train", 64), ("t10k", 32)):
    images = rng.integers(0, 256, size=(n, 28, 28), dtype=np.uint8)
    labels = (np.arange(n) % 10).astype(np.uint8)
    for kind, array in (("images-idx3", images), ("labels-idx1", labels)):
      header = bytes([0, 0, 8, array.ndim]) + b"".join(
          int(d).to_bytes(4, "big") for d in array.shape)
      with gzip.open(os.path.join(folder, f"{prefix}-{kind}-ubyte.gz"),
                     "wb") as f:
        f.write(header + array.tobytes())


def exported_generator(sandbox: str, made: Made) -> None:
  """./exports/demo: the tiny run's generator, as eval.export_generator
  writes it."""
  shutil.copytree(made.exported, os.path.join(sandbox, "exports", "demo"))


def fid_inception(sandbox: str, made: Made) -> None:
  """~/.cache/tfgan_ext/fid_inception_v3 in the sandbox's HOME: a link to
  the FID Inception `make inception` imported (make test runs it first), for
  blocks that compute an Inception FID."""
  del made
  source = os.environ.get("TFGAN_EXT_FID_INCEPTION") or os.path.join(
      os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache"),
      "tfgan_ext", "fid_inception_v3")
  assert os.path.isdir(source), (
      f"No imported FID Inception at {source}: run `make inception`.")
  target = os.path.join(sandbox, "home", ".cache", "tfgan_ext")
  os.makedirs(target, exist_ok=True)
  os.symlink(source, os.path.join(target, "fid_inception_v3"))


@dataclasses.dataclass(frozen=True)
class Way:
  """How a documented command runs here and what it must do."""
  extra: str = ""                 # Appended to the command.
  error: Optional[str] = None     # None: succeeds; else in its error message.
  shows: str = ""                 # On success, in its stdout.
  setup: Optional[Setup] = None
  skip: Optional[str] = None      # Not run here, for this reason.
  cost: int = 1                   # Relative run time (scheduling only).


TRAIN = "python -m experiments.train --flagfile=experiments/configs/"
# The tiny sizes every training command gets (the demo's shapes, small);
# TINY8 for runs no block evaluates with the 16x16 digits classifier (a
# smaller network to trace).
TINY = ("--gf=8 --df=8 --z_dim=16 --batch_size=16 --save_every=2 "
        "--image_every=2 --summary_every=1")
TINY8 = TINY + " --image_size=8"
# The command whose block the `made` fixture runs first: the other blocks
# start from its outputs (Made).
MADE_BY = "tfgan-ext-demo"
COMMANDS = {
    "make ": Way("-n", cost=0),
    "pip install ": Way(skip=(
        "installs into the environment running the tests; the packaging "
        "test installs the package into a fresh virtualenv and runs its "
        "console scripts from outside the checkout")),
    "tensorboard --logdir /tmp/sagan_cifar10": Way(
        "--inspect", shows="Event statistics", setup=run_logs),
    "tensorboard --logdir runs/mhgan": Way("--inspect",
                                           shows="Event statistics"),
    MADE_BY: Way(f"--max_steps=2 {TINY}",
                 shows="classifier + evaluation took"),
    TRAIN + "mhgan_digits.cfg --model_dir=runs/mhgan": Way(
        f"--max_steps=2 {TINY}", cost=3),
    # The table's reference column: split (examples used).
    "python -m eval.run --model_dir=runs/mhgan": Way(
        "--num_samples=100", shows="train (100)", setup=digits_classifier,
        cost=2),
    # No data in the sandbox's HOME: the clear offline error.
    TRAIN + "sagan_cifar10.cfg": Way(
        f"--max_steps=2 {TINY8}",
        error="TFDS dataset 'cifar10' is not prepared"),
    TRAIN + "demo_digits.cfg --model_dir=runs/sagan": Way(
        f"--max_steps=4 {TINY8}", cost=3),
    # Continues runs/sagan (step 4) to step 6.
    TRAIN + "mhshared_finetune_digits.cfg": Way(
        f"--max_steps=6 {TINY8}", cost=3),
    TRAIN + "demo_digits.cfg --model_dir=runs/demo_ema": Way(
        f"--max_steps=4 --ema_start=2 {TINY8}", cost=3),
    # Runs after the EMA training above, in the same block and sandbox.
    "python -m eval.sample --model_dir=runs/demo_ema": Way(),
    "TF_CONFIG=": Way(skip=(
        "needs two hosts; tests/test_distributed.py runs two workers on "
        "localhost")),
    TRAIN + "sagan_imagenet128.cfg": Way(skip=(
        "needs a Cloud TPU VM and a GCS bucket; without a TPU the job stops "
        "at once (tests/test_distributed.py)")),
    "python -m eval.train_classifier --dataset=digits": Way(
        "--epochs=1 --max_train_examples=200", shows="Saved to"),
    "python -m eval.train_classifier --dataset=fashion_mnist": Way(
        "--epochs=1 --data_dir=fmnist", shows="Saved to",
        setup=fashion_mnist_files),
    "python -m eval.run --model_dir=demo_run --classifier_path": Way(
        "--once --num_samples=100", shows="train (100)", setup=demo_run,
        cost=2),
    "python -m eval.run --model_dir=demo_run --classifier_path="
    "classifiers/digits_16px --reference_stats": Way(
        "--num_samples=100", shows="file:digits_train.npz@", setup=demo_run),
    # HOME is empty in the sandbox: no imported FID Inception there.
    "python -m eval.run --model_dir=demo_run --inception_path": Way(
        error="does not exist", setup=demo_run),
    "python -m eval.report": Way(shows="report.md", setup=demo_run),
    "python -m eval.write_stats --dataset=digits": Way(
        setup=digits_classifier),
    "python -m eval.sample --model_dir=demo_run": Way(setup=demo_run),
    "python -m eval.export_generator --model_dir=demo_run": Way(
        setup=demo_run),
}


def fid_inception(sandbox: str, made: Made) -> None:
  """The imported FID Inception (`make inception`) in the sandbox's home,
  where `tfgan_ext.metrics.fid` looks for it."""
  del made
  from tfgan_ext.metrics.fid_inception import default_fid_inception_dir
  cache = os.path.join(sandbox, "home", ".cache", "tfgan_ext")
  os.makedirs(cache, exist_ok=True)
  os.symlink(default_fid_inception_dir(),
             os.path.join(cache, "fid_inception_v3"))


@dataclasses.dataclass(frozen=True)
class PyWay:
  """How a documented Python block runs here and what it must print."""
  shows: tuple[str, ...] = ()     # Each in its stdout.
  setup: Optional[Setup] = None
  replace: tuple[tuple[str, str], ...] = ()  # (regex, replacement), sizes.
  cost: int = 1


PYTHON_BLOCKS = {
    'tf.saved_model.load("exports/demo")': PyWay(
        shows=("(16, 16, 16, 1) <dtype: 'uint8'>",),
        setup=exported_generator),
    "losses.hinge_discriminator_loss": PyWay(
        shows=("0.833 1.167 0.167\n1.0\n",)),
    # README's Python quick start (fewer epochs and samples here).
    "tfgan_ext.metrics.fid(images[:200]": PyWay(
        shows=("FID: ",), setup=fid_inception, cost=3,
        replace=((r"epochs=10", "epochs=2"), (r"\[:200\]", "[:100]"),
                 (r"sample\(200\)", "sample(100)"))),
    'penalty="zero_gp", penalty_weight=1.0': PyWay(shows=("(4, 8, 8, 1)",)),
    'aux="multi_hinge")  # MHGAN': PyWay(shows=("True\n(3, 8, 8, 1)",)),
    "tfgan_ext.Trainer(config, model_dir": PyWay(
        shows=("20\n['ckpt-10', 'ckpt-20']",), cost=2),
    "callbacks.WeightAngles()": PyWay(shows=("e-",)),
    "metrics.frechet_distance(a, b)": PyWay(shows=("2.3",)),
    "modified_discriminator_loss(real, fake)": PyWay(
        shows=("1.2193 0.8268 3.0000",)),
    "def train_step(real, noise)": PyWay(shows=("finite losses: True",)),
}


def way_for(command: str) -> Optional[Way]:
  prefixes = [p for p in COMMANDS if command.startswith(p)]
  return COMMANDS[max(prefixes, key=len)] if prefixes else None


def pyway_for(block: Block) -> Optional[PyWay]:
  keys = [k for k in PYTHON_BLOCKS if k in block.text]
  return PYTHON_BLOCKS[keys[0]] if len(keys) == 1 else None


# ------------------------------------------------------------- the zygote
def console_scripts() -> dict[str, list[str]]:
  """{script: the python argv that runs it}: pyproject.toml's entry points,
  else CONSOLE_SCRIPTS' modules; plus tensorboard."""
  scripts = {"tensorboard": ["-m", "tensorboard.main"]}
  pyproject = os.path.join(ROOT, "pyproject.toml")
  if os.path.exists(pyproject):
    import tomllib
    with open(pyproject, "rb") as f:
      entries = tomllib.load(f).get("project", {}).get("scripts", {})
    for name, target in entries.items():
      module, _, attr = target.partition(":")
      scripts[name] = ["-c", (
          f"import sys, importlib; sys.argv[0] = {name!r}; "
          f"f = importlib.import_module({module!r})\n"
          f"for a in {attr.split('.')!r}: f = getattr(f, a)\n"
          "sys.exit(f())")]
  else:
    scripts.update({name: ["-m", module]
                    for name, module in CONSOLE_SCRIPTS.items()})
  return scripts


CLIENT = '''\
#!{python} -SE
# Runs `{name}` in a child of the zygote (tests/test_readme_commands.py).
import os, socket, sys
PREFIX = {prefix!r}
args = PREFIX + sys.argv[1:]
sock_path = os.environ.get({env!r})
if not (sock_path and args and (args[0] in ("-m", "-c") and len(args) > 1
                                or not args[0].startswith("-"))):
  os.execv({python!r}, [{python!r}] + args)
import json
client = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
client.connect(sock_path)
body = json.dumps({{"argv": args, "cwd": os.getcwd(),
                   "env": dict(os.environ)}}).encode()
socket.send_fds(client, [len(body).to_bytes(8, "big")], [0, 1, 2])
client.sendall(body)
reply = b""
while True:
  chunk = client.recv(64)
  if not chunk:
    break
  reply += chunk
if not reply:
  sys.stderr.write("{name}: the zygote's child ended without an exit code\\n")
sys.exit(int(reply) if reply else 1)
'''


def _write_client(path: str, name: str, prefix: list[str]) -> None:
  with open(path, "w") as f:
    f.write(CLIENT.format(python=sys.executable, name=name, prefix=prefix,
                          env=ZYGOTE_ENV))
  os.chmod(path, 0o755)


def serve(socket_path: str) -> None:
  """The zygote: imports TensorFlow and Keras once, then forks one child per
  client request (see the module docstring). Ends when its parent does."""
  here = os.path.dirname(os.path.abspath(__file__))
  sys.path[:] = [p for p in sys.path if os.path.abspath(p or ".") != here]
  import numpy  # pylint: disable=unused-import
  import tensorflow  # pylint: disable=unused-import
  import keras  # pylint: disable=unused-import
  parent = os.getppid()
  server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
  server.bind(socket_path)
  server.listen(16)
  server.settimeout(0.5)
  print("ready", flush=True)
  while os.getppid() == parent:
    try:
      conn, _ = server.accept()
    except socket.timeout:
      conn = None
    if conn is not None:
      if os.fork() == 0:
        server.close()
        _child(conn)  # Never returns.
      conn.close()
    while True:  # Reap finished children.
      try:
        pid, _ = os.waitpid(-1, os.WNOHANG)
      except ChildProcessError:
        break
      if not pid:
        break


def _log_cpu(path: str, args: list[str]) -> None:
  """Appends this child's CPU seconds (its own and its children's), its
  directory and its argv to `path`."""
  import resource
  cpu = sum(getattr(resource.getrusage(who), field)
            for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN)
            for field in ("ru_utime", "ru_stime"))
  with open(path, "a") as f:
    f.write(f"{cpu:.1f}\t{os.getcwd()}\t{' '.join(args)[:200]}\n")


def _child(conn: socket.socket) -> None:
  """Runs one request in this forked process, then reports its exit code."""
  import atexit
  import runpy
  import traceback
  code = 1
  try:
    conn.setblocking(True)
    header, fds, _, _ = socket.recv_fds(conn, 8, 3)
    size, body = int.from_bytes(header, "big"), b""
    while len(body) < size:
      body += conn.recv(size - len(body))
    request = json.loads(body)
    for target, fd in enumerate(fds):
      os.dup2(fd, target)
      os.close(fd)
    os.chdir(request["cwd"])
    os.environ.clear()
    os.environ.update(request["env"])
    signal.signal(signal.SIGINT, signal.default_int_handler)
    extra = [p for p in os.environ.get("PYTHONPATH", "").split(os.pathsep)
             if p]
    args = request["argv"]
    try:
      if args[0] == "-m":
        sys.argv = args[1:]
        sys.path[:0] = [os.getcwd()] + extra
        runpy.run_module(args[1], run_name="__main__", alter_sys=True)
      elif args[0] == "-c":
        sys.argv = ["-c"] + args[2:]
        sys.path[:0] = [""] + extra
        exec(compile(args[1], "<string>", "exec"), {"__name__": "__main__"})
      else:
        sys.argv = list(args)
        sys.path[:0] = [os.path.dirname(os.path.abspath(args[0]))] + extra
        runpy.run_path(args[0], run_name="__main__")
      code = 0
    except SystemExit as done:
      if done.code is None or isinstance(done.code, int):
        code = done.code or 0
      else:
        print(done.code, file=sys.stderr)
        code = 1
    except BaseException:  # pylint: disable=broad-except
      traceback.print_exc()
      code = 1
    atexit._run_exitfuncs()  # pylint: disable=protected-access
    if os.environ.get(CPU_LOG_ENV):
      _log_cpu(os.environ[CPU_LOG_ENV], args)
  finally:
    for stream in (sys.stdout, sys.stderr):
      try:
        stream.flush()
      except Exception:  # pylint: disable=broad-except
        pass
    try:
      conn.sendall(str(code).encode())
    finally:
      os._exit(code)  # pylint: disable=protected-access


@pytest.fixture(scope="module")
def zygote(tmp_path_factory) -> Optional[str]:
  """The server's socket path (None with TFGAN_DOCS_NO_ZYGOTE=1)."""
  if os.environ.get(NO_ZYGOTE_ENV) == "1":
    yield None
    return
  folder = tmp_path_factory.mktemp("zygote")
  path, log = str(folder / "socket"), str(folder / "stderr")
  env = _base_env(str(tmp_path_factory.mktemp("zygote_home")))
  with open(log, "w") as stderr:
    process = subprocess.Popen(
        [sys.executable, os.path.abspath(__file__), "--serve", path],
        env=env, stdout=subprocess.PIPE, stderr=stderr, text=True,
        start_new_session=True)
  try:
    if process.stdout.readline().strip() != "ready":
      with open(log) as f:
        pytest.fail(f"The zygote did not start:\n{f.read()[-3000:]}")
    yield path
  finally:
    os.killpg(process.pid, signal.SIGKILL)  # The server and its children.
    process.wait()


# ---------------------------------------------------------------- running
def _base_env(home: str) -> dict:
  """The environment commands run in: no PYTHONPATH, empty HOME and TF-Hub
  cache, quiet CPU-only TensorFlow."""
  env = {k: v for k, v in os.environ.items()
         if k not in ("TFDS_DATA_DIR", "TFHUB_CACHE_DIR", "PYTHONPATH",
                      "TFGAN_EXT_FID_INCEPTION", "XDG_CACHE_HOME")}
  # Reuse matplotlib's font cache (a fresh one takes seconds to build).
  env.setdefault("MPLCONFIGDIR", os.path.join(
      os.path.expanduser("~"), ".config", "matplotlib"))
  env.update(HOME=home, TFHUB_CACHE_DIR=os.path.join(home, "tfhub"),
             TF_CPP_MIN_LOG_LEVEL="2", CUDA_VISIBLE_DEVICES="",
             PYTHONHASHSEED="0")
  return env


def _sandbox(path: str, socket_path: Optional[str], sources: bool) -> dict:
  """Creates a sandbox at `path`; returns the environment to run in."""
  os.makedirs(os.path.join(path, "bin"))
  os.makedirs(os.path.join(path, "home"))
  if sources:
    for name in SOURCES:
      os.symlink(os.path.join(ROOT, name), os.path.join(path, name))
  _write_client(os.path.join(path, "bin", "python"), "python", [])
  for name, prefix in console_scripts().items():
    _write_client(os.path.join(path, "bin", name), name, prefix)
  env = _base_env(os.path.join(path, "home"))
  env["PATH"] = os.path.join(path, "bin") + os.pathsep + env["PATH"]
  if socket_path:
    env[ZYGOTE_ENV] = socket_path
  return env


def _bash(line: str, cwd: str, env: dict) -> subprocess.CompletedProcess:
  """Runs `line`; a command still running after TIMEOUT seconds fails."""
  try:
    return subprocess.run(["bash", "-c", line], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=TIMEOUT)
  except subprocess.TimeoutExpired as late:
    return subprocess.CompletedProcess(
        late.cmd, -9, late.stdout or "",
        f"{late.stderr or ''}\nStopped: still running after {TIMEOUT} s.")


def _shell_block(block: Block, sandbox: str, made: Made,
                 socket_path: Optional[str]) -> dict:
  env = _sandbox(sandbox, socket_path, sources=True)
  results = {}
  for command in block.commands:
    way = way_for(command)
    if way is None or way.skip:
      continue
    if way.setup:
      way.setup(sandbox, made)
    line = re.sub(r"(?<![\w.~/-])/tmp/", os.path.join(sandbox, "tmp") + "/",
                  f"{command} {way.extra}".strip())
    results[(block.id, command)] = _bash(line, sandbox, env)
  return results


def _python_block(block: Block, sandbox: str, made: Made,
                  socket_path: Optional[str]) -> dict:
  env = _sandbox(sandbox, socket_path, sources=False)
  env["PYTHONPATH"] = ROOT
  way = pyway_for(block)
  if way is None:
    return {}
  if way.setup:
    way.setup(sandbox, made)
  text = block.text
  for pattern, replacement in way.replace:
    text, count = re.subn(pattern, replacement, text)
    assert count, f"{block.id}: {pattern!r} no longer matches; update it"
  with open(os.path.join(sandbox, "block.py"), "w") as f:
    f.write(text + "\n")
  return {(block.id, None): _bash("python block.py", sandbox, env)}


def _block_cost(block: Block) -> int:
  if block.language in PYTHON_LANGUAGES:
    return getattr(pyway_for(block), "cost", 0)
  return sum(getattr(way_for(c), "cost", 0) for c in block.commands)


@pytest.fixture(scope="module")
def made(zygote, tmp_path_factory) -> Made:
  """Runs the block holding MADE_BY (the demo), then exports its run."""
  blocks = [b for b in SHELL_BLOCKS
            if any(c.startswith(MADE_BY) for c in b.commands)]
  assert len(blocks) == 1, (
      f"One documented block must run {MADE_BY!r} (its outputs are the "
      f"other blocks' starting point); found {[b.id for b in blocks]}.")
  root = str(tmp_path_factory.mktemp("made"))
  results = _shell_block(blocks[0], root, None, zygote)
  for (_, command), done in results.items():
    assert done.returncode == 0, (
        f"{command}:\n{done.stdout[-2000:]}\n{done.stderr[-3000:]}")
  env = _sandbox(os.path.join(root, "export_env"), zygote, sources=False)
  env["PYTHONPATH"] = ROOT
  done = _bash("python -m eval.export_generator --model_dir=demo_run "
               "--out=export", root, env)
  assert done.returncode == 0, done.stderr[-3000:]
  return Made(os.path.join(root, "demo_run"),
              os.path.join(root, "classifiers", "digits_16px"),
              os.path.join(root, "export"), results)


@pytest.fixture(scope="module")
def outcomes(request, made, zygote, tmp_path_factory) -> dict:
  """{(block id, command or None): CompletedProcess} of the blocks whose
  tests were selected."""
  wanted = {item.callspec.params["block"].id
            for item in request.session.items
            if item.module is sys.modules[__name__]
            and hasattr(item, "callspec") and "block" in item.callspec.params}
  done = {block_id for block_id, _ in made.results}
  blocks = sorted((b for b in SHELL_BLOCKS + PYTHON_BLOCKS_FOUND
                   if b.id in wanted and b.id not in done),
                  key=lambda b: -_block_cost(b))
  root = tmp_path_factory.mktemp("blocks")
  results = dict(made.results)
  with concurrent.futures.ThreadPoolExecutor(max_workers=2) as pool:
    jobs = [pool.submit(
        _python_block if b.language in PYTHON_LANGUAGES else _shell_block,
        b, str(root / f"b{i}"), made, zygote) for i, b in enumerate(blocks)]
    for job in jobs:
      results.update(job.result())
  return results


def _check(done: subprocess.CompletedProcess, error: Optional[str],
           shows: tuple[str, ...]) -> None:
  output = f"\nstdout:\n{done.stdout[-3000:]}\nstderr:\n{done.stderr[-3000:]}"
  assert "Traceback" not in done.stderr, output
  if error is None:
    assert done.returncode == 0, output
    for fragment in shows:
      assert fragment in done.stdout, output
  else:
    assert done.returncode == EXIT_BAD_INPUT, output
    assert error in done.stderr, output


@pytest.mark.parametrize(
    "block,command", SHELL_COMMANDS,
    ids=[f"{b.id}:{c[:70]}" for b, c in SHELL_COMMANDS])
def test_doc_command(block, command, outcomes):
  way = way_for(command)
  assert way is not None, (
      f"{block.id}: command {command!r} is not covered: add an entry for it "
      f"to COMMANDS in {__file__} (how it runs here, and its expected "
      "outcome).")
  if way.skip:
    pytest.skip(way.skip)
  _check(outcomes[(block.id, command)], way.error,
         (way.shows,) if way.shows else ())


@pytest.mark.parametrize("block", PYTHON_BLOCKS_FOUND,
                         ids=[b.id for b in PYTHON_BLOCKS_FOUND])
def test_doc_python_block(block, outcomes):
  way = pyway_for(block)
  assert way is not None, (
      f"{block.id}: this Python block has no PYTHON_BLOCKS entry in "
      f"{__file__} (exactly one key must be a fragment of its text).")
  _check(outcomes[(block.id, None)], None, way.shows)


# ----------------------------------------------------------- the documents
def test_every_block_has_a_known_language():
  known = SHELL_LANGUAGES + PYTHON_LANGUAGES + tuple(SKIP_LANGUAGES)
  unknown = [f"{b.id} ```{b.language}" for b in BLOCKS
             if b.language not in known]
  assert not unknown, (
      f"Blocks without a known language tag: {unknown}. Tag commands sh or "
      f"python, and non-commands one of {sorted(SKIP_LANGUAGES)}.")


def test_readme_is_short():
  lines = _read(README).count("\n")
  assert lines <= README_MAX_LINES, (
      f"README.md has {lines} lines; at most {README_MAX_LINES}: move "
      "reference material to docs/.")


def _slug(heading: str) -> str:
  """GitHub's anchor for a heading."""
  text = re.sub(r"[^\w\- ]", "", heading.strip().lower())
  return text.replace(" ", "-")


def _prose(doc: str) -> str:
  """The document without HTML comments and code blocks."""
  text = re.sub(r"<!--.*?-->", "", _read(doc), flags=re.S)
  out, inside = [], False
  for line in text.splitlines():
    if re.match(r"^\s*```", line):
      inside = not inside
    elif not inside:
      out.append(line)
  return "\n".join(out)


def _anchors(doc: str) -> set[str]:
  return {_slug(m)
          for m in re.findall(r"^#+\s+(.*)$", _prose(doc), flags=re.M)}


def _links(doc: str) -> list[str]:
  return re.findall(r"\]\(([^)\s]+)\)", _prose(doc))


@pytest.mark.parametrize("doc", DOCS)
def test_links_point_at_existing_pages_and_headings(doc):
  broken = []
  for link in _links(doc):
    if re.match(r"^[a-z]+:", link):
      continue  # http(s), mailto: not checked offline.
    path, _, anchor = link.partition("#")
    target = (os.path.normpath(os.path.join(os.path.dirname(doc), path))
              if path else doc)
    if not os.path.exists(os.path.join(ROOT, target)):
      broken.append(f"{link} (no {target})")
    elif anchor and target.endswith(".md") and anchor not in _anchors(target):
      broken.append(f"{link} (no heading #{anchor} in {target})")
  assert not broken, f"{doc}: broken links: {broken}"


def test_readme_links_every_docs_page():
  linked = {os.path.normpath(link.partition("#")[0])
            for link in _links(README)}
  missing = [d for d in DOCS[1:] if d not in linked]
  assert not missing, f"README.md's map of docs/ misses {missing}"


def test_documented_console_scripts_exist():
  named = set()
  for doc in DOCS:
    named.update(re.findall(r"\btfgan-ext-[a-z-]*[a-z]", _read(doc)))
  pyproject = os.path.join(ROOT, "pyproject.toml")
  if not os.path.exists(pyproject):
    unknown = named - set(CONSOLE_SCRIPTS)
    assert not unknown, f"Unknown console scripts in the docs: {unknown}"
    pytest.skip("no pyproject.toml yet: checked against CONSOLE_SCRIPTS")
  scripts = console_scripts()
  unknown = named - set(scripts)
  assert not unknown, (
      f"The docs name console scripts pyproject.toml does not define: "
      f"{sorted(unknown)}")


if __name__ == "__main__":
  if sys.argv[1:2] == ["--serve"]:
    serve(sys.argv[2])
  else:
    sys.exit(f"usage: {sys.argv[0]} --serve SOCKET (the tests' zygote)")
