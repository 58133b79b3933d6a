"""The face mesh's topology (mediapipe's canonical 478-point mesh, refined iris) and geometry on it.

Index tables shared by the analysis, the shared evidence and the checks, and the two small
geometric helpers every check uses: the bounding box of normalised points (for a Region) and the
head pose from the mesh's 3-D points.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

# Face mesh indices used across the checks (mediapipe's canonical topology).
# "left"/"right" are IMAGE left/right (x smaller / larger in the photo) for a
# frontal face; mediapipe's own names are the subject's.
MESH = {
    "forehead_top": 10,
    "chin": 152,
    "nose_tip": 1,
    "nose_bridge": 168,
    "cheek_left": 234,  # face contour at the tragus level, image left
    "cheek_right": 454,  # image right
    "eye_left_outer": 33,
    "eye_left_inner": 133,
    "eye_right_inner": 362,
    "eye_right_outer": 263,
    "iris_left": 468,  # centre of the image-left iris (subject's right eye)
    "iris_right": 473,
    "mouth_left": 61,
    "mouth_right": 291,
}
# Eye contours, image-left eye then image-right eye: (outer, inner) corners and
# three upper/lower lid pairs, for the eye aspect ratio.
EYE_LEFT = {"corners": (33, 133), "lids": ((160, 144), (159, 145), (158, 153))}
EYE_RIGHT = {"corners": (263, 362), "lids": ((387, 373), (386, 374), (385, 380))}
# Eyebrows (upper and lower edges), image left then image right.
BROW_LEFT = (70, 63, 105, 66, 107, 46, 53, 52, 65, 55)
BROW_RIGHT = (300, 293, 334, 296, 336, 276, 283, 282, 295, 285)
# Outer lip contour and the eye contours (for masking features out of skin measures).
LIPS = (61, 185, 40, 39, 37, 0, 267, 269, 270, 409, 291, 375, 321, 405, 314, 17, 84, 181, 91, 146)
EYE_LEFT_CONTOUR = (33, 246, 161, 160, 159, 158, 157, 173, 133, 155, 154, 153, 145, 144, 163, 7)
EYE_RIGHT_CONTOUR = (263, 466, 388, 387, 386, 385, 384, 398, 362, 382, 381, 380, 374, 373, 390, 249)
# Face oval, clockwise from the forehead top.
FACE_OVAL = (
    10, 338, 297, 332, 284, 251, 389, 356, 454, 323, 361, 288, 397, 365, 379, 378, 400, 377,
    152, 148, 176, 149, 150, 136, 172, 58, 132, 93, 234, 127, 162, 21, 54, 103, 67, 109,
)
# Pose landmark indices (mediapipe pose, subject's left/right).
POSE = {"nose": 0, "shoulder_subject_left": 11, "shoulder_subject_right": 12, "hip_subject_left": 23,
        "hip_subject_right": 24, "ear_subject_left": 7, "ear_subject_right": 8}


def box_of(points_norm: Any, pad: float = 0.0) -> tuple[float, float, float, float]:
    """Bounding box of normalised points, padded by ``pad`` of its size, clipped to 0..1."""
    p = np.asarray(points_norm, dtype=np.float64).reshape(-1, 2)
    x0, y0 = p.min(axis=0)
    x1, y1 = p.max(axis=0)
    dx, dy = (x1 - x0) * pad, (y1 - y0) * pad
    return (float(max(0.0, x0 - dx)), float(max(0.0, y0 - dy)), float(min(1.0, x1 + dx)), float(min(1.0, y1 + dy)))


def head_pose_from_points(p: np.ndarray) -> tuple[float, float, float]:
    """Yaw, pitch, roll (degrees) from the (478, 3) mesh in pixel units."""
    xr = p[MESH["cheek_right"]] - p[MESH["cheek_left"]]
    down = p[MESH["chin"]] - p[MESH["forehead_top"]]
    xr = xr / (np.linalg.norm(xr) + 1e-9)
    zf = np.cross(xr, down)
    zf = zf / (np.linalg.norm(zf) + 1e-9)
    yd = np.cross(zf, xr)
    # rotation matrix columns: face x (image right), face y (down), face z (into the image)
    yaw = math.degrees(math.atan2(xr[2], xr[0]))
    roll = math.degrees(math.atan2(xr[1], xr[0]))
    pitch = math.degrees(math.atan2(-yd[2], yd[1]))
    return yaw, pitch, roll
