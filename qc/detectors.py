"""The mediapipe graphs (face detection, face mesh, selfie segmentation, pose), built once per worker.

mediapipe 0.10.21, all models bundled in the wheel (legacy ``mp.solutions``); nothing is
downloaded. :class:`Models` is not thread-safe: one per worker thread.
"""

from __future__ import annotations

import logging
from typing import Any

import numpy as np

log = logging.getLogger(__name__)


class Models:
    """mediapipe graphs, created once and reused for every photo (static image mode)."""

    def __init__(self, *, detection_confidence: float = 0.5, mesh_confidence: float = 0.5):
        import mediapipe as mp  # noqa: F401  (fail here, clearly, if the wheel is missing)

        self._mp = mp
        self.detection_confidence = detection_confidence
        self.mesh_confidence = mesh_confidence
        self._cache: dict[str, Any] = {}

    def _get(self, name: str):
        g = self._cache.get(name)
        if g is None:
            s = self._mp.solutions
            if name == "detect_full":
                g = s.face_detection.FaceDetection(model_selection=1, min_detection_confidence=self.detection_confidence)
            elif name == "detect_short":
                g = s.face_detection.FaceDetection(model_selection=0, min_detection_confidence=self.detection_confidence)
            elif name == "mesh":
                g = s.face_mesh.FaceMesh(static_image_mode=True, max_num_faces=1, refine_landmarks=True,
                                         min_detection_confidence=self.mesh_confidence)
            elif name == "segment":
                g = s.selfie_segmentation.SelfieSegmentation(model_selection=0)
            elif name == "pose":
                # model_complexity=1 is pose_landmark_full, the one the wheel carries (0/2 would download)
                g = s.pose.Pose(static_image_mode=True, model_complexity=1, enable_segmentation=False,
                                min_detection_confidence=0.5)
            else:
                raise KeyError(name)
            self._cache[name] = g
        return g

    def warm_up(self, names: tuple[str, ...] = ("detect_full", "mesh", "segment")) -> None:
        """Load the graphs and run each once: a graph's first image costs several times a later one,
        and that should be paid at start-up, not on the first student's photo."""
        blank = np.full((192, 192, 3), 128, np.uint8)
        for n in names:
            g = self._get(n)
            try:
                g.process(blank)
            except Exception:  # priming is an optimisation; a real failure shows on the first photo
                log.debug("warm-up of %s failed", n, exc_info=True)

    def close(self) -> None:
        for g in self._cache.values():
            try:
                g.close()
            except Exception:  # closing a graph twice or after a failure must not mask the real error
                pass
        self._cache.clear()

    # -- single model calls --------------------------------------------------------------
    def detect(self, rgb: np.ndarray, model: str = "detect_full") -> list[tuple[tuple[float, float, float, float], float, np.ndarray]]:
        res = self._get(model).process(rgb)
        out = []
        for d in res.detections or []:
            rb = d.location_data.relative_bounding_box
            box = (rb.xmin, rb.ymin, rb.xmin + rb.width, rb.ymin + rb.height)
            kps = np.array([[k.x, k.y] for k in d.location_data.relative_keypoints], dtype=np.float64)
            out.append((box, float(d.score[0]) if d.score else 0.0, kps))
        return out

    def mesh(self, rgb: np.ndarray) -> np.ndarray | None:
        res = self._get("mesh").process(rgb)
        if not res.multi_face_landmarks:
            return None
        lm = res.multi_face_landmarks[0].landmark
        return np.array([[p.x, p.y, p.z] for p in lm], dtype=np.float64)

    def segment(self, rgb: np.ndarray) -> np.ndarray:
        res = self._get("segment").process(rgb)
        return np.asarray(res.segmentation_mask, dtype=np.float32).copy()

    def pose(self, rgb: np.ndarray) -> np.ndarray | None:
        res = self._get("pose").process(rgb)
        if res.pose_landmarks is None:
            return None
        return np.array([[p.x, p.y, p.z, p.visibility] for p in res.pose_landmarks.landmark], dtype=np.float64)
