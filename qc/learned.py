"""Small learned models for the glasses, eyebrows and ears checks, trained on real photos.

Each model is a logistic regression over a few patches of the canonical face
view (see ``qc/face_view.py``: eye line level, 80 px per inter-ocular distance,
so a 200x250 crop and a 24 MP frame give the same features) reduced by PCA,
plus the hand rule's own measures. They were trained person-disjoint on the
real labelled development set (bench/realset, see bench/realset/train_models.py
and docs/benchmarks.md); the weights ship in qc/models/*.npz (tens of kB) and
load offline, once per process. A missing or unreadable weights file leaves
the check on its hand rule alone.

Features (all relative: grey patches are z-scored, colour patches are
distances to the person's own cheek skin in units of its spread):

* glasses: grey periocular patch (brow to cheek across both eyes);
* eyebrows: grey and skin-distance patches of the brows and the forehead
  just above them;
* ears: per side, grey and skin-distance patches of the band beside the
  face outline at the ear's height (the image-left side mirrored, so one
  model serves both ears).
"""

from __future__ import annotations

import functools
import logging
from pathlib import Path

import cv2
import numpy as np

from qc.face_view import AlignedFace

log = logging.getLogger(__name__)
MODELS = Path(__file__).resolve().parent / "models"

# (u0, u1, v0, v1) in IOD units, output (width, height)
GLASSES_PATCH = ((-1.1, 1.1, -0.45, 0.6), (96, 40))
BROW_PATCH = ((-1.15, 1.15, -1.0, 0.05), (64, 28))
EAR_PATCH = ((0.7, 1.6, -0.6, 1.1), (18, 34))  # image-right side; the left side is mirrored


def _crop(img: np.ndarray, face: AlignedFace, uv: tuple[float, float, float, float],
          size: tuple[int, int], mirror: bool = False) -> np.ndarray:
    u0, u1, v0, v1 = uv
    if mirror:
        u0, u1 = -u1, -u0
    x0, y0 = face.px(u0, v0)
    x1, y1 = face.px(u1, v1)
    h, w = img.shape[:2]
    # pad by replicating the border when the region leaves the canonical view
    xa, ya, xb, yb = int(round(x0)), int(round(y0)), int(round(x1)), int(round(y1))
    pad = max(0, -xa, -ya, xb - w, yb - h)
    if pad:
        img = cv2.copyMakeBorder(img, pad, pad, pad, pad, cv2.BORDER_REPLICATE)
        xa, ya, xb, yb = xa + pad, ya + pad, xb + pad, yb + pad
    sub = img[ya:yb, xa:xb].astype(np.float32)
    sub = cv2.resize(sub, size, interpolation=cv2.INTER_AREA)
    if mirror:
        sub = sub[:, ::-1]
    return sub


def _z(a: np.ndarray) -> np.ndarray:
    return (a - a.mean()) / (a.std() + 1e-3)


def glasses_patch(face: AlignedFace) -> np.ndarray:
    """The z-scored grey periocular patch, 96x40 (what bench/realset/dump_features.py caches)."""
    uv, size = GLASSES_PATCH
    return _z(_crop(face.lum, face, uv, size)).ravel()


def glasses_features(face: AlignedFace) -> np.ndarray:
    return glasses_reduce(glasses_patch(face))


def glasses_reduce(patch: np.ndarray) -> np.ndarray:
    """96x40 -> 48x20: the model reads the patch at half size (finer detail overfits the few people)."""
    w, h = GLASSES_PATCH[1]
    return cv2.resize(patch.reshape(h, w), (w // 2, h // 2), interpolation=cv2.INTER_AREA).ravel()


def brow_features(face: AlignedFace) -> np.ndarray:
    uv, size = BROW_PATCH
    grey = _z(_crop(face.lum, face, uv, size))
    dist = _crop(face.skin_distance, face, uv, (size[0] // 2, size[1] // 2)) / 10.0
    return np.concatenate([grey.ravel(), dist.ravel()])


def ear_features(face: AlignedFace, side: int) -> np.ndarray:
    """side -1: image left (mirrored), +1: image right."""
    uv, size = EAR_PATCH
    mirror = side < 0
    grey = _crop(face.lum, face, uv, size, mirror)
    grey = (grey - float(face.skin.lab[0]) * 100 / 255) / 40.0  # relative to the cheek's lightness
    dist = _crop(face.skin_distance, face, uv, size, mirror) / 10.0
    return np.concatenate([grey.ravel(), dist.ravel()])


class LinearModel:
    """PCA + standardised logistic regression, as written by bench/realset/train_models.py."""

    def __init__(self, data: dict):
        self.patch_mean = data["patch_mean"].astype(np.float32)
        self.components = data["components"].astype(np.float32)
        self.feat_mean = data["feat_mean"].astype(np.float32)
        self.feat_std = data["feat_std"].astype(np.float32)
        self.w = data["w"].astype(np.float32)
        self.b = float(data["b"])
        self.threshold = float(data["threshold"])
        self.n_extra = int(data["n_extra"])

    def probability(self, patch: np.ndarray, extra: np.ndarray | None = None) -> float:
        z = (patch.astype(np.float32) - self.patch_mean) @ self.components.T
        if self.n_extra:
            z = np.concatenate([np.asarray(extra, np.float32).ravel()[: self.n_extra], z])
        s = float(((z - self.feat_mean) / self.feat_std) @ self.w + self.b)
        return float(1.0 / (1.0 + np.exp(-np.clip(s, -30, 30))))


@functools.lru_cache(maxsize=None)
def load(name: str) -> LinearModel | None:
    path = MODELS / f"{name}.npz"
    try:
        with np.load(path, allow_pickle=False) as z:
            return LinearModel({k: z[k] for k in z.files})
    except FileNotFoundError:
        log.warning("model %s not found: the check uses its hand rule alone", path)
    except Exception:
        log.exception("model %s unreadable: the check uses its hand rule alone", path)
    return None
