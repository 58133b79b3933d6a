"""The shared face analysis: decode, detect, landmark and segment once for all checks.

Every check receives the same read-only :class:`FaceAnalysis` (the way OFIQ
shares one session between its measures), so a photo costs one decode and
one pass of each model however many checks look at it.

Coordinates. Unless a field says otherwise, points are **normalised to the
oriented image** (EXIF applied): ``x`` and ``y`` in 0..1 of its width and
height, the same convention as :class:`qc.base.Region`, so they hold at every
resolution. Use :meth:`FaceAnalysis.points_px` to get pixels of a given array
(``analysis.image``, ``analysis.small`` or anything else of the same aspect).

Lengths that thresholds are expressed in (eye distance, face width) are given
in pixels of ``image`` and also relative, so no check needs a resolution-
dependent threshold: a 200×250 crop and a 24 MP frame are judged alike.

Models (mediapipe 0.10.21, all bundled in the wheel, legacy ``mp.solutions``):
face detection (full range, with short range as a fallback for faces that
fill the frame), face mesh with ``refine_landmarks=True`` (478 points incl.
iris) run on a crop around the detected face, selfie segmentation (person
mask) and pose (pose_landmark_full). The person mask and the body pose are
computed on first use only, so a profile whose checks do not need them does
not pay for them. :class:`Models` is not thread-safe: one per worker thread.

Field names are a contract with the checks (part B builds on them): add, do
not rename.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import cv2
import numpy as np

from qc.decode import Decoded
from qc.detectors import Models
from qc.evidence import FaceEvidence
from qc.imageops import crop_scaled, resize_long
from qc.mesh import BROW_LEFT, BROW_RIGHT, EYE_LEFT_CONTOUR, EYE_RIGHT_CONTOUR, FACE_OVAL, LIPS, MESH, head_pose_from_points

log = logging.getLogger(__name__)


@dataclass
class FaceBox:
    """One face found by the detector."""

    box: tuple[float, float, float, float]  # x0, y0, x1, y1, normalised to the oriented image
    score: float  # detector confidence 0..1
    keypoints: np.ndarray  # (6, 2) normalised: eyes, nose tip, mouth, ear tragions (mediapipe order)
    width_px: float  # box width in pixels of ``FaceAnalysis.image``
    relative_size: float = 1.0  # width relative to the largest face in the photo


@dataclass
class HeadView:
    """A crop of the decoded image around the head, resampled to a fixed eye distance.

    For checks that need detail (hair texture, spectacle frames, earrings):
    pixels come from the already decoded image (never a second decode), and
    the scale is normalised so that the pupils are ``eye_px`` pixels apart, so
    thresholds in pixels of this view mean the same at every photo size.
    """

    rgb: np.ndarray  # h x w x 3 uint8
    box: tuple[float, float, float, float]  # the crop, normalised to the oriented image (may exceed 0..1)
    landmarks: np.ndarray  # (478, 2) mesh points in pixels of ``rgb``
    mask: np.ndarray | None  # h x w float32 person probability (None if segmentation not run)
    eye_px: float  # inter-pupil distance in pixels of ``rgb``
    upsampled: bool  # True if the decoded image had fewer pixels than this view (soft detail)

    def to_norm(self, xy: Any) -> np.ndarray:
        """Pixels of this view → normalised oriented-image coordinates (for Regions)."""
        p = np.asarray(xy, dtype=np.float64).reshape(-1, 2)
        h, w = self.rgb.shape[:2]
        x0, y0, x1, y1 = self.box
        return np.column_stack([x0 + p[:, 0] / w * (x1 - x0), y0 + p[:, 1] / h * (y1 - y0)])


@dataclass
class FaceAnalysis:
    """Everything the checks share about one photo. Read-only for checks.

    ``image`` is the decoded oriented RGB at reduced scale (long side about
    1200–2400 px for camera files, the original size for smaller files);
    ``small`` is the same picture with its long side at most
    ``model_long_side`` (the models' input, and enough for colour/area
    measures). ``landmarks`` is ``None`` when no face was found; checks that
    need a face should then return ``error`` ("not assessed").
    """

    image: np.ndarray  # H x W x 3 uint8, oriented, reduced-scale decode
    small: np.ndarray  # h x w x 3 uint8, same picture, long side <= model_long_side
    width: int  # oriented size of the ORIGINAL file in its own pixels
    height: int
    scale: float  # pixels of ``image`` per original pixel
    faces: list[FaceBox]  # every detected face, largest first
    landmarks: np.ndarray | None  # (478, 3): x, y normalised; z in units of image width (mediapipe)
    source_format: str = "array"  # "JPEG", "PNG", ..., "array"
    source_mode: str = "RGB"  # the file's colour mode: "L" or "I;16" means a grayscale photo
    path: str | None = None
    timings: dict[str, float] = field(default_factory=dict)  # ms per stage, for benchmarks
    crop: Any = None  # qc.crop.CropBox, filled by the Checker from the profile's [crop] section
    evidence_params: dict[str, Any] | None = field(default=None, repr=False)  # the profile's [evidence]
    _models: Any = field(default=None, repr=False)

    # -- geometry --------------------------------------------------------------------------
    @property
    def has_face(self) -> bool:
        return self.landmarks is not None

    @property
    def is_grayscale(self) -> bool:
        """True when the photo carries no colour (gray file, or RGB with equal channels)."""
        if self.source_mode in ("L", "1", "I", "I;16", "I;16B", "I;16L", "F", "LA"):
            return True
        s = self.small[::4, ::4].astype(np.int16)
        return bool(np.abs(s[:, :, 0] - s[:, :, 1]).max() <= 2 and np.abs(s[:, :, 1] - s[:, :, 2]).max() <= 2)

    def points_px(self, shape: tuple[int, ...] | None = None, idx: Any = None) -> np.ndarray:
        """Mesh points (x, y) in pixels of an array of ``shape`` (default ``image``)."""
        if self.landmarks is None:
            raise ValueError("no face landmarks")
        h, w = (shape or self.image.shape)[:2]
        pts = self.landmarks[:, :2] if idx is None else self.landmarks[np.asarray(idx), :2]
        return pts * np.array([w, h], dtype=np.float64)

    def point(self, name_or_index: str | int) -> np.ndarray:
        """One mesh point in pixels of ``image``."""
        i = MESH[name_or_index] if isinstance(name_or_index, str) else int(name_or_index)
        return self.points_px(idx=[i])[0]

    @cached_property
    def points3d(self) -> np.ndarray:
        """(478, 3) mesh in pixels of ``image`` (z scaled like x), for angles."""
        if self.landmarks is None:
            raise ValueError("no face landmarks")
        h, w = self.image.shape[:2]
        return self.landmarks * np.array([w, h, w], dtype=np.float64)

    @cached_property
    def eye_centres(self) -> tuple[np.ndarray, np.ndarray]:
        """Pupil centres (image-left, image-right) in pixels of ``image``."""
        p = self.points_px(idx=[MESH["iris_left"], MESH["iris_right"]])
        return p[0], p[1]

    @cached_property
    def eye_distance(self) -> float:
        """Inter-pupil distance in pixels of ``image``: the unit for size-free thresholds."""
        a, b = self.eye_centres
        return float(np.hypot(*(b - a)))

    @cached_property
    def face_width(self) -> float:
        """Face width at the tragus level (mesh 234–454) in pixels of ``image``."""
        p = self.points3d
        return float(np.hypot(*(p[MESH["cheek_right"], :2] - p[MESH["cheek_left"], :2])))

    @cached_property
    def face_box(self) -> tuple[float, float, float, float]:
        """Bounding box of the face oval (mesh), normalised."""
        if self.landmarks is None:
            raise ValueError("no face landmarks")
        pts = self.landmarks[list(FACE_OVAL), :2]
        return (float(pts[:, 0].min()), float(pts[:, 1].min()), float(pts[:, 0].max()), float(pts[:, 1].max()))

    @cached_property
    def head_pose(self) -> tuple[float, float, float]:
        """(yaw, pitch, roll) in degrees; 0,0,0 is frontal, upright.

        Yaw > 0: the face turns towards image right; pitch > 0: chin up;
        roll > 0: the head tilts clockwise in the image (right eye lower).
        A geometric estimate from the mesh's 3D points (a face frame built
        from the cheek-to-cheek and forehead-to-chin axes): no camera model
        is needed, and it holds at every resolution.
        """
        return head_pose_from_points(self.points3d)

    @property
    def yaw(self) -> float:
        return self.head_pose[0]

    @property
    def pitch(self) -> float:
        return self.head_pose[1]

    @property
    def roll(self) -> float:
        return self.head_pose[2]

    @cached_property
    def evidence(self) -> FaceEvidence:
        """What several checks read about the face (canonical view, rims, hair cues), each made once
        on first use (``qc/evidence.py``)."""
        return FaceEvidence(self, self.evidence_params)

    # -- models run on demand ---------------------------------------------------------------
    @cached_property
    def person_mask(self) -> np.ndarray:
        """Person probability (selfie segmentation), float32 0..1, shape of ``small``."""
        t = time.perf_counter()
        mask = self._models.segment(self.small)
        self.timings["segment"] = (time.perf_counter() - t) * 1000
        return mask

    @cached_property
    def body(self) -> np.ndarray | None:
        """Body pose (33, 4): x, y normalised, z, visibility; None if no body was found."""
        t = time.perf_counter()
        out = self._models.pose(self.small)
        self.timings["pose"] = (time.perf_counter() - t) * 1000
        return out

    @cached_property
    def lab_small(self) -> np.ndarray:
        """``small`` in CIE L*a*b* (float32: L 0..100, a/b about -128..127), D65, sRGB."""
        return cv2.cvtColor(self.small.astype(np.float32) * (1.0 / 255.0), cv2.COLOR_RGB2Lab)

    def polygon_mask(self, shape: tuple[int, ...], idx: Any) -> np.ndarray:
        """Boolean mask of the polygon through mesh points ``idx`` in an array of ``shape``."""
        h, w = shape[:2]
        m = np.zeros((h, w), np.uint8)
        pts = np.round(self.points_px((h, w), idx)).astype(np.int32)
        cv2.fillPoly(m, [pts], 1)
        return m.astype(bool)

    def face_mask(self, shape: tuple[int, ...] | None = None) -> np.ndarray:
        """Boolean mask of the face oval in an array of ``shape`` (default ``small``)."""
        return self.polygon_mask(shape or self.small.shape, list(FACE_OVAL))

    def skin_mask(self, shape: tuple[int, ...] | None = None) -> np.ndarray:
        """Face skin (face oval minus eyes, eyebrows, lips and the forehead above the brows).

        Boolean, in an array of ``shape`` (default ``small``; that one is cached).
        """
        if shape is None or tuple(shape[:2]) == self.small.shape[:2]:
            if "_skin_small" not in self.__dict__:
                self.__dict__["_skin_small"] = self._skin_mask(self.small.shape)
            return self.__dict__["_skin_small"]
        return self._skin_mask(shape)

    def _skin_mask(self, shape: tuple[int, ...]) -> np.ndarray:
        m = self.face_mask(shape).astype(np.uint8)
        h, w = shape[:2]
        holes = np.zeros((h, w), np.uint8)
        for idx in (BROW_LEFT, BROW_RIGHT, LIPS, EYE_LEFT_CONTOUR, EYE_RIGHT_CONTOUR):
            pts = np.round(self.points_px((h, w), list(idx))).astype(np.int32)
            cv2.fillConvexPoly(holes, cv2.convexHull(pts), 1)
        k = max(1, int(round(self.eye_distance * h / self.image.shape[0] * 0.08)))
        holes = cv2.dilate(holes, np.ones((2 * k + 1, 2 * k + 1), np.uint8))
        m[holes > 0] = 0
        # a fringe would sit above the brows: skin measures stay below them
        brow_y = self.points_px((h, w), list(BROW_LEFT) + list(BROW_RIGHT))[:, 1].min()
        m[: int(max(0, brow_y)), :] = 0
        return m.astype(bool)

    @cached_property
    def head_top(self) -> float | None:
        """Top of the head (hair included), normalised y, from the person mask; None if unclear.

        Measured in the columns between the eyes' outer corners, where only the
        head can be above the face.
        """
        if self.landmarks is None:
            return None
        mask = self.person_mask
        h, w = mask.shape
        xs = self.landmarks[[MESH["eye_left_outer"], MESH["eye_right_outer"]], 0] * w
        c0, c1 = int(max(0, np.floor(xs.min()))), int(min(w, np.ceil(xs.max()) + 1))
        top_face = int(self.landmarks[MESH["forehead_top"], 1] * h)
        if c1 <= c0 or top_face <= 0:
            return 0.0
        col = mask[: min(top_face, h), c0:c1] > 0.5
        rows = np.flatnonzero(col.mean(axis=1) > 0.3)
        if rows.size == 0:
            return float(self.landmarks[MESH["forehead_top"], 1])
        return float(rows[0] / h)

    def head_view(self, eye_px: float = 128.0) -> HeadView:
        """The head at ``eye_px`` pixels between the pupils (cached per value)."""
        cache = self.__dict__.setdefault("_head_views", {})
        if eye_px not in cache:
            cache[eye_px] = self._make_head_view(float(eye_px))
        return cache[eye_px]

    def _make_head_view(self, eye_px: float) -> HeadView:
        if self.landmarks is None:
            raise ValueError("no face landmarks")
        h, w = self.image.shape[:2]
        pts = self.points_px()
        x0, y0 = pts[:, 0].min(), pts[:, 1].min()
        x1, y1 = pts[:, 0].max(), pts[:, 1].max()
        fw, fh = x1 - x0, y1 - y0
        # room for hair above, ears and earrings at the sides, neck/necklace below
        bx0, bx1 = x0 - 0.45 * fw, x1 + 0.45 * fw
        by0, by1 = y0 - 0.55 * fh, y1 + 0.6 * fh
        s = eye_px / max(self.eye_distance, 1e-6)
        out_w, out_h = max(8, int(round((bx1 - bx0) * s))), max(8, int(round((by1 - by0) * s)))
        rgb = crop_scaled(self.image, bx0, by0, s, (out_w, out_h))
        mask = None
        if "person_mask" in self.__dict__:
            sh, sw = self.small.shape[:2]
            ms = s * w / sw
            mm = np.array([[ms, 0, -bx0 * s], [0, ms, -by0 * s]], dtype=np.float64)
            mask = cv2.warpAffine(self.person_mask, mm, (out_w, out_h), flags=cv2.INTER_LINEAR,
                                  borderMode=cv2.BORDER_REPLICATE)
        box = (bx0 / w, by0 / h, bx1 / w, by1 / h)
        return HeadView(rgb=rgb, box=box, landmarks=(pts - [bx0, by0]) * s, mask=mask,
                        eye_px=eye_px, upsampled=s > 1.05)


def analyse(decoded: Decoded, models: Models, *, model_long_side: int = 640, mesh_input: int = 256,
            path: str | None = None, evidence: dict[str, Any] | None = None) -> FaceAnalysis:
    """Run detection and the face mesh; segmentation, pose and the shared evidence (``evidence``:
    the profile's ``[evidence]``, default the default profile's) wait until a check asks."""
    timings: dict[str, float] = {}
    t0 = time.perf_counter()
    image = decoded.rgb
    small = resize_long(image, model_long_side)
    timings["resize"] = (time.perf_counter() - t0) * 1000

    t = time.perf_counter()
    found = models.detect(small, "detect_full")
    if not found:
        # a face that fills the frame (a tight 200x250 crop) can escape both detectors: retry
        # with the short-range model, then on a padded canvas where the face is smaller
        found = models.detect(small, "detect_short")
    if not found:
        found = _detect_padded(small, models)
    timings["detect"] = (time.perf_counter() - t) * 1000

    h, w = image.shape[:2]
    faces = [FaceBox(box=tuple(float(v) for v in b), score=sc, keypoints=k, width_px=(b[2] - b[0]) * w)
             for b, sc, k in found]
    faces.sort(key=lambda f: f.width_px, reverse=True)
    if faces:
        big = max(faces[0].width_px, 1e-6)
        for f in faces:
            f.relative_size = f.width_px / big

    t = time.perf_counter()
    landmarks = None
    if faces:
        landmarks = _mesh_on_crop(image, faces[0].box, models, mesh_input)
    if landmarks is None:
        lm = models.mesh(small)  # the detector may have missed a face the mesh's own detector finds
        if lm is not None:
            landmarks = lm  # normalised x, y and width-relative z hold for any scale
            if not faces:
                x0, y0 = lm[:, 0].min(), lm[:, 1].min()
                x1, y1 = lm[:, 0].max(), lm[:, 1].max()
                faces = [FaceBox(box=(x0, y0, x1, y1), score=0.5, keypoints=np.zeros((6, 2)),
                                 width_px=(x1 - x0) * w)]
    timings["mesh"] = (time.perf_counter() - t) * 1000

    return FaceAnalysis(image=image, small=small, width=decoded.width, height=decoded.height,
                        scale=decoded.scale, faces=faces, landmarks=landmarks,
                        source_format=decoded.format, source_mode=decoded.mode, path=path,
                        timings=timings, evidence_params=evidence, _models=models)


def _detect_padded(small: np.ndarray, models: Models):
    h, w = small.shape[:2]
    py, px = h // 2, w // 2
    padded = cv2.copyMakeBorder(small, py, py, px, px, cv2.BORDER_REPLICATE)
    ph, pw = padded.shape[:2]
    out = []
    for b, sc, k in models.detect(padded, "detect_short") or models.detect(padded, "detect_full"):
        box = ((b[0] * pw - px) / w, (b[1] * ph - py) / h, (b[2] * pw - px) / w, (b[3] * ph - py) / h)
        kk = np.column_stack([(k[:, 0] * pw - px) / w, (k[:, 1] * ph - py) / h])
        out.append((box, sc, kk))
    return out


def _mesh_on_crop(image: np.ndarray, box: tuple[float, float, float, float], models: Models,
                  size: int) -> np.ndarray | None:
    """Face mesh on a square crop around the detected face, mapped back to normalised coords.

    Running the mesh on the face's own crop (instead of the whole frame) keeps
    its internal detector happy when the face is small in a wide 24 MP frame
    and gives the landmarks the decoded image's detail.
    """

    h, w = image.shape[:2]
    cx, cy = (box[0] + box[2]) / 2 * w, (box[1] + box[3]) / 2 * h
    side = 2.0 * max((box[2] - box[0]) * w, (box[3] - box[1]) * h, 8.0)
    s = size / side
    m = np.array([[s, 0, size / 2 - cx * s], [0, s, size / 2 - cy * s]], dtype=np.float64)
    crop = crop_scaled(image, cx - side / 2, cy - side / 2, s, (size, size))
    lm = models.mesh(crop)
    if lm is None:
        return None
    px = lm[:, 0] * size
    py = lm[:, 1] * size
    x = (px - m[0, 2]) / s / w
    y = (py - m[1, 2]) / s / h
    z = lm[:, 2] * size / s / w
    return np.column_stack([x, y, z])
