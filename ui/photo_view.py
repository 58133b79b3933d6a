"""The picture, with the verdict drawn around it: readable from the camera position.

Geometry depends on the widget's size only, never on the verdict: a band on
top for the verdict banner (outside the photo, so it never hides the top of
the 480×640 crop frame), the photo, a band for the failing checks' sentences
(or a column beside the photo, when the window is wide), and an information
line at the foot (the exposure from EXIF and a small histogram with clipping
marks). So a passing and a failing photo are drawn the same size, in the same
place. Each failing check is outlined where it looked, with a numbered badge
matching its sentence; sentences never break inside a word.

Zoom: double-click, the wheel or ``Z`` shows the photo at 100 % (one camera
pixel, one screen pixel) around the cursor (``Z`` away from the photo: around
the eyes); dragging pans; the full-resolution image is decoded in a worker.
Compare (``C``): two takes side by side, zoomed and panned together.
Live view: frames from the camera with the delivery frame and eye line.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QPointF, QRectF, QSize, Qt, Signal
from PySide6.QtGui import QCursor, QFont, QFontMetrics, QImage, QImageReader, QImageIOHandler
from PySide6.QtWidgets import QSizePolicy, QWidget

from app.photo_info import photo_info
from ui import photo_paint as pp
from ui.photo_frame import PhotoPainting
from ui.photo_marks import MarksPainter
from ui.photo_paint import AMBER, BACKDROP, GREEN, GREY, MAX_OUTLINED_AREA, RED, tone_color  # noqa: F401  (importable from here)
from ui.workers import Runner, load_scaled

ZOOM_MAX = 2.0  # screen px per camera px
WHEEL_STEP = 1.25
SIDE_LABEL_MIN = 230  # px beside the photo needed to put the sentences there


@dataclass
class Overlay:
    """What to draw with the photo (built by the window from a ShotInfo)."""

    verdict: str | None  # pass / warn / fail / error / None (checking)
    title: str  # the banner text
    hint: str = ""  # the keys, under the banner
    marks: tuple[tuple[str, str, tuple[tuple[float, float, float, float], ...]], ...] = ()  # (verdict, text, boxes)
    crop: tuple[float, float, float, float] | None = None
    footnote: str = ""  # e.g. the checks that could not be assessed


@dataclass
class _Pane:
    """One take in the compare view."""

    path: str
    overlay: Overlay
    image: QImage | None = None
    native: QSize | None = None


def native_size(path: str) -> QSize:
    """The photo's size in camera pixels, as shown (EXIF orientation applied)."""
    r = QImageReader(path)
    r.setAutoTransform(True)
    s = r.size()
    if s.isValid() and r.transformation() & QImageIOHandler.Transformation.TransformationRotate90:
        s = QSize(s.height(), s.width())
    return s


def _photo_info(path: str):
    return photo_info(path)


class PhotoView(PhotoPainting, QWidget):
    resized = Signal(QSize)  # the new display_size(): photos are decoded to fit it
    zoom_changed = Signal(float)  # 0: fitted; else screen px per camera px

    MARGIN = 12

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setMinimumSize(480, 400)
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # the input field keeps the focus
        self._image: QImage | None = None
        self._scaled: QImage | None = None
        self._path: str | None = None
        self._native: QSize | None = None
        self._full: QImage | None = None
        self._info = None  # app.photo_info.PhotoInfo
        self._overlay: Overlay | None = None
        self._message = ""
        self._message_tone: str | None = None
        self._corner = ""
        self._live = False
        self.live_frames = 0  # frames painted since live view began (tests, the fps probe)
        self._zoom: float | None = None  # None: fitted
        self._center = QPointF(0.5, 0.5)  # the normalised photo point at the viewport's centre, zoomed
        self._drag: QPointF | None = None
        self._compare: list[_Pane] | None = None
        self._runner = Runner(self, threads=1)
        self._marks = MarksPainter(self)

    # --- state ----------------------------------------------------------------

    def display_size(self) -> QSize:
        """The largest image drawn without scaling (the worker decodes to this)."""
        c = self.geometry_rects()["photo_area"]
        return QSize(max(64, int(c.width())), max(64, int(c.height())))

    def resizeEvent(self, ev) -> None:
        super().resizeEvent(ev)
        self._scaled = None
        self.resized.emit(self.display_size())

    def set_image(self, image: QImage | None, path: str | None = None) -> None:
        """A photo (decoded at display size); ``path`` lets zoom and the information line read the file."""
        new = path is None or path != self._path
        self._image, self._scaled, self._live = image, None, False
        if new:
            self._compare = None
            self._zoom, self._full, self._info = None, None, None
            self._path = path
            self._native = native_size(path) if path else None
            if path:
                self._runner.submit(_photo_info, path, on_done=lambda info, p=path: self._got_info(p, info))
        self.update()

    def set_live(self, image: QImage) -> None:
        """A live-view frame: drawn with the delivery frame and the eye line, nothing else."""
        if not self._live:
            self.live_frames = 0
        self._image, self._scaled, self._live = image, None, True
        self._path = self._native = self._full = self._info = None
        self._overlay, self._message, self._compare, self._zoom = None, "", None, None
        self.live_frames += 1
        self.update()

    @property
    def is_live(self) -> bool:
        return self._live and self.has_image

    def set_overlay(self, overlay: Overlay | None) -> None:
        self._overlay = overlay
        self.update()

    def set_message(self, text: str, tone: str | None = None) -> None:
        """A large line shown when there is no photo (or over its foot, when there is)."""
        self._message, self._message_tone = text, tone
        self.update()

    def set_corner(self, text: str) -> None:
        self._corner = text
        self.update()

    def clear(self) -> None:
        self._image, self._scaled, self._overlay = None, None, None
        self._path = self._native = self._full = self._info = None
        self._live, self._compare, self._zoom = False, None, None
        self.update()

    @property
    def overlay(self) -> Overlay | None:
        return self._overlay

    @property
    def has_image(self) -> bool:
        return self._image is not None and not self._image.isNull()

    @property
    def path(self) -> str | None:
        return self._path

    @property
    def info(self):
        return self._info

    def _got_info(self, path: str, info) -> None:
        if path == self._path:
            self._info = info
            self.update()

    # --- zoom, pan, compare -----------------------------------------------------

    @property
    def zoom(self) -> float | None:
        """Screen px per camera px while zoomed, None when fitted."""
        return self._zoom

    @property
    def full_resolution(self) -> bool:
        """The zoomed view shows camera pixels (the full-resolution decode has arrived)."""
        if self._compare is not None:
            return all(p.image is not None and p.native is not None and p.image.width() >= p.native.width()
                       for p in self._compare)
        return self._full is not None

    def zoom_to(self, z: float | None, at: QPointF | None = None) -> None:
        """Zoom to ``z`` (None: fit) keeping the photo point under ``at`` (widget coordinates) where it is."""
        if not self.has_image and self._compare is None or self._live:
            return
        if z is not None and self._zoom is None:
            pt = self._point_at(at) if at is not None else None
            if pt is None:
                pt = self._face_point()
            self._center = pt
            if at is not None and self._point_at(at) is not None:
                # keep that point under the cursor: move the centre by the cursor's offset from the viewport centre
                vp = self.geometry_rects()["canvas"]
                nat = self._native_for_zoom()
                if nat is not None:
                    dx = (at.x() - vp.center().x()) / (z * nat.width())
                    dy = (at.y() - vp.center().y()) / (z * nat.height())
                    self._center = QPointF(pt.x() - dx, pt.y() - dy)
        self._zoom = z
        if z is not None:
            self._want_full()
        self._clamp_center()
        self.zoom_changed.emit(z or 0.0)
        self.update()

    def toggle_zoom(self, at: QPointF | None = None) -> None:
        """``Z`` and double-click: 100 % at the cursor (or the eyes), and back to the whole photo."""
        if self._zoom is None:
            if at is None:
                pos = self.mapFromGlobal(QCursor.pos())
                at = QPointF(pos) if self.rect().contains(pos) else None
            self.zoom_to(1.0, at)
        else:
            self.zoom_to(None)

    def pan(self, dx: float, dy: float) -> None:
        """Move the zoomed photo by (dx, dy) screen px."""
        nat = self._native_for_zoom()
        if self._zoom is None or nat is None:
            return
        self._center = QPointF(self._center.x() - dx / (self._zoom * nat.width()),
                               self._center.y() - dy / (self._zoom * nat.height()))
        self._clamp_center()
        self.update()

    @property
    def comparing(self) -> bool:
        return self._compare is not None

    def show_compare(self, left: tuple[str, Overlay], right: tuple[str, Overlay]) -> None:
        """Two takes side by side (left the earlier one); each decoded to half the width."""
        self._compare = [_Pane(p, ov, None, native_size(p)) for p, ov in (left, right)]
        self._zoom = None
        size = self.display_size()
        for pane in self._compare:
            self._runner.submit(load_scaled, pane.path, size.width() // 2, size.height(),
                                on_done=lambda img, pane=pane: self._got_pane(pane, img))
        self.update()

    def end_compare(self) -> None:
        self._compare = None
        self._zoom = None
        self.update()

    def _got_pane(self, pane: _Pane, img: QImage) -> None:
        if self._compare is not None and pane in self._compare:
            pane.image = img
            self.update()

    def _native_for_zoom(self) -> QSize | None:
        if self._compare is not None:
            return self._compare[0].native
        return self._native

    def _want_full(self) -> None:
        if self._compare is not None:
            for pane in self._compare:
                if pane.native is not None and (pane.image is None or pane.image.width() < pane.native.width()):
                    self._runner.submit(load_scaled, pane.path, 1 << 15, 1 << 15,
                                        on_done=lambda img, pane=pane: self._got_pane(pane, img))
            return
        if self._full is None and self._path:
            path = self._path
            self._runner.submit(load_scaled, path, 1 << 15, 1 << 15,
                                on_done=lambda img, p=path: self._got_full(p, img))

    def _got_full(self, path: str, img: QImage) -> None:
        if path == self._path:
            self._full = img
            self.update()

    def _point_at(self, at: QPointF) -> QPointF | None:
        """The normalised photo point under ``at`` in the fitted view (None off the photo)."""
        if not self.has_image:
            return None
        ir = self.photo_rect()
        if not ir.contains(at):
            return None
        return QPointF((at.x() - ir.left()) / ir.width(), (at.y() - ir.top()) / ir.height())

    def _face_point(self) -> QPointF:
        ov = self._overlay
        if ov is not None and ov.crop:
            x0, y0, x1, y1 = ov.crop
            return QPointF((x0 + x1) / 2, y0 + (y1 - y0) * pp.EYE_LINE_PX / pp.CROP_H)
        return QPointF(0.5, 0.4)

    def _clamp_center(self) -> None:
        nat = self._native_for_zoom()
        if self._zoom is None or nat is None:
            return
        vp = self.geometry_rects()["canvas"]
        if self._compare is not None:
            vp = QRectF(vp.left(), vp.top(), vp.width() / 2, vp.height())
        hw = vp.width() / (2 * self._zoom * nat.width())
        hh = vp.height() / (2 * self._zoom * nat.height())
        x = 0.5 if hw >= 0.5 else min(max(self._center.x(), hw), 1 - hw)
        y = 0.5 if hh >= 0.5 else min(max(self._center.y(), hh), 1 - hh)
        self._center = QPointF(x, y)

    def mouseDoubleClickEvent(self, ev) -> None:
        self.toggle_zoom(QPointF(ev.position()))

    def wheelEvent(self, ev) -> None:
        steps = ev.angleDelta().y() / 120.0
        if not steps:
            return
        fit = self._fit_scale()
        current = self._zoom if self._zoom is not None else fit
        z = current * (WHEEL_STEP ** steps)
        self.zoom_to(None if z <= fit * 1.01 else min(z, ZOOM_MAX), QPointF(ev.position()))

    def mousePressEvent(self, ev) -> None:
        if self._zoom is not None and ev.button() == Qt.MouseButton.LeftButton:
            self._drag = QPointF(ev.position())
            self.setCursor(Qt.CursorShape.ClosedHandCursor)

    def mouseMoveEvent(self, ev) -> None:
        if self._drag is not None:
            pos = QPointF(ev.position())
            self.pan(pos.x() - self._drag.x(), pos.y() - self._drag.y())
            self._drag = pos

    def mouseReleaseEvent(self, ev) -> None:
        self._drag = None
        self.unsetCursor()

    def _fit_scale(self) -> float:
        nat = self._native_for_zoom()
        if nat is None or not self.has_image and self._compare is None:
            return 1.0
        return self.photo_rect().width() / max(1, nat.width())

    # --- layout ---------------------------------------------------------------

    def _font(self, px: float, bold: bool = True) -> QFont:
        f = QFont(self.font())
        f.setPixelSize(max(12, int(px)))
        f.setBold(bold)
        return f

    def label_font(self) -> QFont:
        return self._font(max(18, self.height() * 0.034))

    def banner_height(self) -> float:
        H = self.height()
        return QFontMetrics(self._font(H * 0.055)).height() + QFontMetrics(self._font(H * 0.026, bold=False)).height() + 16

    def info_height(self) -> float:
        return max(40.0, self.height() * 0.07)

    def geometry_rects(self) -> dict[str, QRectF]:
        """The fixed bands: banner, canvas (between banner and information line), photo_area, labels, info."""
        m = self.MARGIN
        area = QRectF(self.rect()).adjusted(m, m, -m, -m)
        bh, ih = self.banner_height(), self.info_height()
        banner = QRectF(area.left(), area.top(), area.width(), bh)
        info = QRectF(area.left(), area.bottom() - ih, area.width(), ih)
        canvas = QRectF(area.left(), banner.bottom() + 6, area.width(), info.top() - 6 - banner.bottom() - 6)
        aspect = self._aspect()
        fit_w = min(canvas.width(), canvas.height() * aspect)
        side = (canvas.width() - fit_w) / 2
        if side >= SIDE_LABEL_MIN:
            return {"banner": banner, "canvas": canvas, "photo_area": canvas, "labels": QRectF(), "info": info,
                    "side": QRectF(canvas)}
        rows = 2
        lh = QFontMetrics(self.label_font()).height() + 14
        band_h = rows * lh + (rows - 1) * 6
        photo_area = QRectF(canvas.left(), canvas.top(), canvas.width(), canvas.height() - band_h - 8)
        labels = QRectF(canvas.left(), photo_area.bottom() + 8, canvas.width(), band_h)
        return {"banner": banner, "canvas": canvas, "photo_area": photo_area, "labels": labels, "info": info,
                "side": QRectF()}

    def _aspect(self) -> float:
        nat = self._native
        if nat is not None and nat.isValid() and nat.height():
            return nat.width() / nat.height()
        if self.has_image:
            return self._image.width() / max(1, self._image.height())
        return 3 / 4

    def photo_rect(self) -> QRectF:
        """Where the (fitted) photo is drawn: the same for a pass and a fail."""
        area = self.geometry_rects()["photo_area"]
        aspect = self._aspect()
        w = min(area.width(), area.height() * aspect)
        h = w / aspect
        return QRectF(area.center().x() - w / 2, area.top() + (area.height() - h) / 2, w, h)

    def banner_rect(self) -> QRectF:
        """The verdict banner: above the photo, as wide as the photo (at least a third of the view)."""
        b = self.geometry_rects()["banner"]
        ir = self.photo_rect() if self.has_image else b
        w = max(ir.width(), b.width() / 3)
        return QRectF(b.center().x() - w / 2 if not self.has_image else ir.center().x() - w / 2, b.top(), w, b.height())

    def badge_layout(self) -> tuple[QRectF, list[QPointF | None], float, float]:
        """Where the current overlay's badges go: (photo rectangle, centres, radius, banner's bottom)."""
        ir = self.photo_rect()
        r = QFontMetrics(self.label_font()).height() * 0.55
        spots = self._marks.badge_spots(self._overlay, ir, r) if self._overlay else []
        return ir, spots, r, self.banner_rect().bottom()
