"""FID Inception on CPU: TensorFlow's oneDNN kernels against its default ones.

python -m bench.bench_inception_cpu [--num_images 40] [--rounds 3]
    [--batch_size 20] [--image_size 16] [--channels 1] [--jit]

TensorFlow reads TF_ENABLE_ONEDNN_OPTS once, when it is imported, and on
x86 CPUs without AVX-512 neural-network instructions (e.g. this project's AMD
EPYC machines: AVX2 / FMA only) it leaves oneDNN off. The benchmark runs the
imported FID Inception (`FIDInceptionNetwork`, the eval job's network for
--inception_path) in child processes, alternately with oneDNN off and on
(`rounds` times each, so that machine load drifts affect both alike), on the
same `num_images` random images of the study size (16x16 grayscale: tiled to
3 channels, resized to 299x299 inside the network). Each child times the
images after a warm-up batch and reports images/s (wall) and CPU seconds per
image (all threads). Prints the medians, the on/off ratios, and the largest
per-image relative L2 difference of the 2048 pool features between the two
settings (the numbers must not change beyond float round-off).

With --jit each child also times the forward pass compiled by XLA
(`tf.function(jit_compile=True)`), in the same process as the plain one.

Needs the imported FID Inception (`make inception`); nothing is downloaded.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time

import numpy as np

ENV_VAR = "TF_ENABLE_ONEDNN_OPTS"
SETTINGS = (("default kernels", "0"), ("oneDNN", "1"))


def _time_forward(forward, images: np.ndarray, batch_size: int
                  ) -> tuple[float, float, np.ndarray]:
  """(images/s wall, CPU s per image, pool features [N, 2048]) of one pass
  after a warm-up batch."""
  forward(images[:batch_size])
  wall, cpu = time.perf_counter(), time.process_time()
  out = [np.asarray(forward(images[s:s + batch_size])["pool"])
         for s in range(0, len(images), batch_size)]
  wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
  return len(images) / wall, cpu / len(images), np.concatenate(out)


def child(args) -> None:
  """One measurement in this process (TensorFlow imported here, after the
  parent set TF_ENABLE_ONEDNN_OPTS)."""
  import tensorflow as tf  # pylint: disable=g-import-not-at-top
  from tfgan_ext.metrics import fid_inception  # pylint: disable=g-import-not-at-top
  from tfgan_ext.metrics.feature_networks import resize_for_inception  # pylint: disable=g-import-not-at-top
  net = fid_inception.FIDInceptionNetwork(args.fid_inception)
  rng = np.random.default_rng(0)
  images = rng.uniform(-1, 1, (args.num_images, args.image_size,
                               args.image_size, args.channels)
                       ).astype(np.float32)
  result = {"onednn": fid_inception.onednn_enabled()}
  rate, cpu, pool = _time_forward(net, images, args.batch_size)
  result.update(rate=rate, cpu=cpu)
  np.save(args.features_out, pool)
  if args.jit:
    module = net._module  # pylint: disable=protected-access
    jit = tf.function(lambda x: {"pool": module(resize_for_inception(x))[
        "pool_3"]}, jit_compile=True)
    tiled = lambda x: jit(tf.tile(tf.constant(x), [1, 1, 1, 3])  # noqa: E731
                          if x.shape[-1] == 1 else tf.constant(x))
    rate, cpu, jit_pool = _time_forward(tiled, images, args.batch_size)
    result.update(jit_rate=rate, jit_cpu=cpu,
                  jit_rel=float(_relative(jit_pool, pool).max()))
  print("RESULT " + json.dumps(result), flush=True)


def _relative(a: np.ndarray, b: np.ndarray) -> np.ndarray:
  """Per row ||a - b|| / ||b||, in float64."""
  a, b = a.astype(np.float64), b.astype(np.float64)
  return np.linalg.norm(a - b, axis=1) / np.linalg.norm(b, axis=1)


def _run_child(args, value: str, out: str) -> dict:
  env = dict(os.environ, **{ENV_VAR: value}, TF_CPP_MIN_LOG_LEVEL="2")
  cmd = [sys.executable, "-m", "bench.bench_inception_cpu", "--child",
         f"--features_out={out}", f"--num_images={args.num_images}",
         f"--batch_size={args.batch_size}", f"--image_size={args.image_size}",
         f"--channels={args.channels}", f"--fid_inception={args.fid_inception}"
         ] + (["--jit"] if args.jit else [])
  proc = subprocess.run(cmd, env=env, capture_output=True, text=True,
                        check=False)
  lines = [l for l in proc.stdout.splitlines() if l.startswith("RESULT ")]
  if proc.returncode or not lines:
    raise RuntimeError(f"child failed ({proc.returncode}):\n"
                       f"{proc.stderr[-3000:]}")
  return json.loads(lines[-1][len("RESULT "):])


def main() -> None:
  from tfgan_ext.metrics import fid_inception  # pylint: disable=g-import-not-at-top
  parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
  parser.add_argument("--num_images", type=int, default=40)
  parser.add_argument("--batch_size", type=int, default=20)
  parser.add_argument("--image_size", type=int, default=16)
  parser.add_argument("--channels", type=int, default=1)
  parser.add_argument("--rounds", type=int, default=3)
  parser.add_argument("--jit", action="store_true")
  parser.add_argument("--fid_inception",
                      default=fid_inception.default_fid_inception_dir())
  parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
  parser.add_argument("--features_out", help=argparse.SUPPRESS)
  args = parser.parse_args()
  if args.child:
    child(args)
    return
  if not fid_inception.is_imported_fid_inception(args.fid_inception):
    print(f"No imported FID Inception at {args.fid_inception} (run `make "
          "inception`); skipped.")
    return
  print(f"{os.cpu_count()} CPUs; load average {os.getloadavg()[0]:.2f} at "
        f"the start (other jobs slow both settings down alike); "
        f"{args.num_images} images {args.image_size}x{args.image_size}x"
        f"{args.channels}, batch {args.batch_size}, {args.rounds} rounds",
        flush=True)
  results = {value: [] for _, value in SETTINGS}
  with tempfile.TemporaryDirectory() as tmp:
    paths = {value: os.path.join(tmp, f"pool_{value}.npy")
             for _, value in SETTINGS}
    for r in range(args.rounds):
      for name, value in SETTINGS:
        res = _run_child(args, value, paths[value])
        results[value].append(res)
        extra = (f", XLA {res['jit_rate']:.2f} images/s, "
                 f"{res['jit_cpu']:.3f} CPU s/image" if args.jit else "")
        print(f"  round {r + 1}, {name} (oneDNN "
              f"{'on' if res['onednn'] else 'off'}): {res['rate']:.2f} "
              f"images/s, {res['cpu']:.3f} CPU s/image{extra}", flush=True)
    rel = _relative(np.load(paths["1"]), np.load(paths["0"]))
  med = {v: {k: float(np.median([r[k] for r in rs])) for k in ("rate", "cpu")}
         for v, rs in results.items()}
  ratios = [b["rate"] / a["rate"] for a, b in zip(results["0"], results["1"])]
  cpu_ratios = [a["cpu"] / b["cpu"] for a, b in zip(results["0"],
                                                    results["1"])]
  for name, value in SETTINGS:
    m = med[value]
    print(f"{name:16s}: {m['rate']:.2f} images/s, {m['cpu']:.3f} CPU "
          f"s/image (5,000 images: {5000 / m['rate'] / 60:.1f} min at this "
          f"load; {5000 * m['cpu'] / 60:.1f} CPU min)")
  print(f"oneDNN / default: images/s x{np.median(ratios):.2f} (per round "
        f"{', '.join(f'{x:.2f}' for x in ratios)}), CPU time per image "
        f"/{np.median(cpu_ratios):.2f}")
  print(f"pool features, oneDNN vs default: max per-image relative L2 "
        f"difference {rel.max():.2e}")
  if args.jit:
    for name, value in SETTINGS:
      rs = results[value]
      print(f"XLA vs plain, {name}: images/s x"
            f"{np.median([r['jit_rate'] / r['rate'] for r in rs]):.2f}, max "
            f"relative feature difference "
            f"{max(r['jit_rel'] for r in rs):.2e}")


if __name__ == "__main__":
  main()
