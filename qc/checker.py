"""The photo checker: one object per worker, models loaded once, every check run per photo.

    checker = Checker()                  # the default profile (the centre's notice)
    report = checker.check_path("IMG_0001.JPG")
    report.verdict                       # "pass" / "warn" / "fail" / "error"
    report.checks["white_top"].reason    # 请换白色上衣

A check that raises is recorded as ``error`` (not assessed) with the reason
and the others still run; a file that cannot be decoded gives a report with
verdict ``error`` and the reason, never an exception. Overall verdict:
``fail`` if any check fails, else ``warn`` if any check warns or could not be
assessed, else ``pass``.

Not thread-safe (the mediapipe graphs are not): one Checker per worker thread.
"""

from __future__ import annotations

import logging
import os
import sys
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image

from qc.analysis import analyse
from qc.backdrop import Calibration
from qc.base import Check, CheckResult, QcReport
from qc.checks import CHECK_NAMES, CheckUnavailable, check_class
from qc.closeup import UNSURE, closeup_regions
from qc.crop import standard_crop
from qc.decode import DecodeError, decode_path, from_array
from qc.detectors import Models
from qc.profile import Profile, load_profile

log = logging.getLogger(__name__)

NO_FACE_ZH = "未检测到人脸,无法检查此项"
NO_FACE_EN = "no face found, not assessed"


@contextmanager
def native_stderr_to_log():
    """Route what mediapipe's C++ (absl, TFLite) writes to fd 2 into logging at debug level.

    Building and warming the graphs prints a handful of harmless lines
    ("Created TensorFlow Lite XNNPACK delegate", "Feedback manager requires...")
    straight to the process's stderr, past Python's logging; on a station
    console they look like errors. They are kept, at debug level.
    """
    fd = 2  # the C++ side writes to the process's fd 2, whatever sys.stderr is now
    try:
        sys.stderr.flush()
        saved = os.dup(fd)
    except (OSError, ValueError):
        yield
        return
    with tempfile.TemporaryFile() as tmp:
        os.dup2(tmp.fileno(), fd)
        try:
            yield
        finally:
            sys.stderr.flush()
            os.dup2(saved, fd)
            os.close(saved)
            tmp.seek(0)
            for line in tmp.read().decode("utf-8", "replace").splitlines():
                log.debug("mediapipe: %s", line)


class Checker:
    def __init__(self, profile: str | Path | Profile | None = None, *, warm: bool = True):
        self.profile = load_profile(profile)
        a = self.profile.analysis
        self.decode_long_side = int(a["decode_long_side"])
        self.model_long_side = int(a["model_long_side"])
        self.mesh_input = int(a["mesh_input"])
        self.evidence_params = self.profile.section("evidence")
        with native_stderr_to_log():
            self.models = Models(detection_confidence=float(a["detection_confidence"]),
                                 mesh_confidence=float(a["mesh_confidence"]))
        self.checks: dict[str, Check] = {}
        self.unavailable: dict[str, str] = {}
        for name in self.profile.checks:
            try:
                cls = check_class(name)
                self.checks[name] = cls(self.profile.section(name))
            except CheckUnavailable as exc:
                self.unavailable[name] = str(exc)
            except Exception as exc:  # a broken check module must not take the others down
                log.exception("check %s could not be loaded", name)
                self.unavailable[name] = f"{type(exc).__name__}: {exc}"
        self._quiet_first = True
        self._wants_mask = any(c.needs_person_mask for c in self.checks.values())
        if warm:
            with native_stderr_to_log():
                self.models.warm_up()

    @property
    def names(self) -> list[str]:
        return list(self.profile.checks)

    def set_backdrop(self, calibration: Any) -> None:
        """Judge ``background`` against the empty backdrop measured at set-up: a
        :class:`qc.backdrop.Calibration`, its dict from the settings, a callable returning the
        current one (read on every photo: ``app.calibration.BackdropSetting``), or None."""
        if isinstance(calibration, dict) or calibration is None:
            calibration = Calibration.from_dict(calibration)
        for check in self.checks.values():
            check.set_backdrop(calibration)

    def warm_up(self) -> float:
        """Check one dummy portrait end to end, so the first student's photo is as fast as the rest.

        Building the graphs (the constructor) is not enough: a model's first
        *face* (the mesh's landmark stage runs only when a face is found), the
        first person mask and body pose, the first JPEG decode, the check
        modules' own first calls (OpenCV kernels, lazily built tables) each
        cost once, and together they made the first verdict 0.5-0.8 s instead
        of about 0.1 s. A real portrait that ships with a runtime dependency
        (scikit-image's astronaut), put on a camera-like portrait canvas and
        written as an oriented JPEG, goes through ``check_path`` once, on the
        calling thread (call it on the thread that will check photos). Every
        model any check may use (the short-range detector too) is run.
        Returns the milliseconds it took; a failure is logged, never raised
        (warming is an optimisation, the first photo then pays).
        """
        t0 = time.perf_counter()
        try:
            with native_stderr_to_log():
                self.models.warm_up(("detect_full", "detect_short", "mesh", "segment", "pose"))
                with tempfile.TemporaryDirectory(prefix="qc-warm-") as d:
                    path = Path(d) / "warm.jpg"
                    _write_dummy_portrait(path)
                    report = self.check_path(path)
            self._quiet_first = False
            log.debug("warm-up verdict %s in %.0f ms", report.verdict, report.ms)
        except Exception:
            log.warning("photo-check warm-up failed; the first photo will be slower", exc_info=True)
        return (time.perf_counter() - t0) * 1000

    def close(self) -> None:
        self.models.close()

    def __enter__(self) -> Checker:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    # -- entry points -------------------------------------------------------------------------
    def check_path(self, path: str | Path) -> QcReport:
        t0 = time.perf_counter()
        try:
            decoded = decode_path(path, min_long_side=self.decode_long_side)
        except DecodeError as exc:
            return self._error_report(str(path), exc.reason, exc.reason_en, t0)
        decode_ms = (time.perf_counter() - t0) * 1000
        return self._run(decoded, str(path), t0, decode_ms)

    def check_image(self, rgb: Any) -> QcReport:
        """Check an RGB array that is already the right way up."""
        t0 = time.perf_counter()
        try:
            decoded = from_array(rgb)
        except DecodeError as exc:
            return self._error_report(None, exc.reason, exc.reason_en, t0)
        return self._run(decoded, None, t0, 0.0)

    def check_decoded(self, decoded: Any, path: str | Path | None = None) -> QcReport:
        """Check a photo already decoded at the reduced scale (``qc.decode.decode_jpeg_strict``, run by
        the capture layer as its strict check): the file is not read again. ``path`` names it in the report."""
        return self._run(decoded, None if path is None else str(path), time.perf_counter(), 0.0)

    def analyse_path(self, path: str | Path):
        """The shared analysis alone (for tools and part-B development), crop included."""
        return self._analyse(decode_path(path, min_long_side=self.decode_long_side), str(path))

    # -- internals ----------------------------------------------------------------------------
    def _analyse(self, decoded: Any, path: str | None):
        analysis = analyse(decoded, self.models, model_long_side=self.model_long_side,
                           mesh_input=self.mesh_input, path=path, evidence=self.evidence_params)
        if analysis.has_face:
            # the hair's top comes from the person mask, which the framing/background/top checks need anyway
            head_top = analysis.head_top if self._wants_mask else None
            analysis.crop = standard_crop(analysis, self.profile.crop, head_top=head_top)
        return analysis

    def _run(self, decoded: Any, path: str | None, t0: float, decode_ms: float) -> QcReport:
        try:
            if self._quiet_first:  # the face mesh's first real inference prints one more C++ warning
                with native_stderr_to_log():
                    analysis = self._analyse(decoded, path)
                self._quiet_first = not analysis.has_face
            else:
                analysis = self._analyse(decoded, path)
        except Exception as exc:  # a model failure is reported, the batch goes on
            log.exception("analysis failed for %s", path)
            return self._error_report(path, "照片分析失败,请重拍", f"analysis failed: {type(exc).__name__}: {exc}", t0)
        analysis.timings["decode"] = decode_ms
        results: dict[str, CheckResult] = {}
        for name in self.profile.checks:
            results[name] = self._run_one(name, analysis)
        ms = (time.perf_counter() - t0) * 1000
        verdicts = [r.verdict for r in results.values()]
        if "fail" in verdicts:
            verdict = "fail"
        elif "warn" in verdicts or "error" in verdicts:
            verdict = "warn"
        else:
            verdict = "pass"
        crop = analysis.crop.box if analysis.crop is not None else None
        report = QcReport(path=path, verdict=verdict, checks=results, ms=ms, width=decoded.width,
                          height=decoded.height, crop=crop)
        report.timings = analysis.timings
        if analysis.has_face and self._unsure_closeup(results):  # the window shows ears and brows enlarged
            report.closeup = closeup_regions(analysis)
        return report

    def _unsure_closeup(self, results: dict[str, CheckResult]) -> bool:
        """A check that asks for the close-up (``Check.closeup``) warned or failed."""
        return any(r.verdict in UNSURE for n, r in results.items() if n in self.checks and self.checks[n].closeup)

    def _run_one(self, name: str, analysis: Any) -> CheckResult:
        if name in self.unavailable:
            return CheckResult(name, "error", None, "此项检查尚未安装,未检查",
                               f"not assessed: {self.unavailable[name]}")
        check = self.checks[name]
        if getattr(check, "needs_face", True) and not analysis.has_face:
            return CheckResult(name, "error", None, NO_FACE_ZH, NO_FACE_EN)
        t = time.perf_counter()
        try:
            result = check.run(analysis)
        except Exception as exc:
            log.exception("check %s raised", name)
            result = CheckResult(name, "error", None, "此项检查出错,未检查",
                                 f"not assessed: {type(exc).__name__}: {exc}")
        analysis.timings[f"check.{name}"] = (time.perf_counter() - t) * 1000
        if not result.name:
            result.name = name
        return result

    def _error_report(self, path: str | None, reason: str, reason_en: str, t0: float) -> QcReport:
        checks = {n: CheckResult(n, "error", None, "照片无法检查", "the photo could not be checked")
                  for n in self.profile.checks}
        return QcReport(path=path, verdict="error", checks=checks, ms=(time.perf_counter() - t0) * 1000,
                        error=reason, error_en=reason_en)


def _write_dummy_portrait(path: Path) -> None:
    """scikit-image's astronaut on a 3:4 portrait canvas (1200x1600), as a camera-like JPEG (EXIF 6)."""
    try:
        from skimage import data

        face = np.asarray(data.astronaut(), dtype=np.uint8)
    except Exception:  # no scikit-image: a grey frame still loads every graph and check
        face = np.full((512, 512, 3), 128, np.uint8)
    im = Image.fromarray(face).resize((1024, 1024), Image.BILINEAR)
    canvas = Image.new("RGB", (1200, 1600), tuple(int(v) for v in face[5, 5]))
    canvas.paste(im, (88, 300))
    exif = Image.Exif()
    exif[0x0112] = 6  # stored landscape like a camera held upright: the rotation path runs too
    canvas.transpose(Image.ROTATE_90).save(path, "JPEG", quality=90, exif=exif.tobytes())


def all_check_names() -> tuple[str, ...]:
    return CHECK_NAMES
