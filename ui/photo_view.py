"""The picture, with the verdict drawn on it: readable from the camera position.

A green or red frame and banner say pass or fail at a glance; each failing
check is outlined where it looked (the ears, the eyebrows, the glasses, the
top) and its Chinese sentence stands beside the photo, joined to the place by
a line, in letters sized to the window. The image arrives already decoded and
scaled by a worker, so painting is cheap.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QPointF, QRect, QRectF, QSize, Qt, Signal
from PySide6.QtGui import QColor, QFont, QFontMetrics, QImage, QPainter, QPen
from PySide6.QtWidgets import QSizePolicy, QWidget

GREEN = QColor("#1f9d55")
RED = QColor("#d62828")
AMBER = QColor("#e09f00")
GREY = QColor("#5c6670")
BACKDROP = QColor("#1b1e22")


@dataclass
class Overlay:
    """What to draw over the photo (built by the window from a ShotInfo)."""

    verdict: str | None  # pass / warn / fail / error / None (checking)
    title: str  # the banner text
    hint: str = ""  # the keys, under the banner
    marks: tuple[tuple[str, str, tuple[tuple[float, float, float, float], ...]], ...] = ()  # (verdict, text, boxes)
    crop: tuple[float, float, float, float] | None = None


def tone_color(verdict: str | None) -> QColor:
    return {"pass": GREEN, "warn": AMBER, "fail": RED, "error": RED}.get(verdict or "", GREY)


class PhotoView(QWidget):
    resized = Signal(QSize)  # the new display_size(): photos are decoded to fit it

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setMinimumSize(480, 400)
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # the input field keeps the focus
        self._image: QImage | None = None
        self._overlay: Overlay | None = None
        self._message = ""
        self._message_tone: str | None = None
        self._corner = ""

    # --- state ----------------------------------------------------------------

    MARGIN = 12

    def display_size(self) -> QSize:
        """The largest image drawn without scaling (the worker decodes to this)."""
        return QSize(max(64, self.width() - 2 * self.MARGIN), max(64, self.height() - 2 * self.MARGIN))

    def resizeEvent(self, ev) -> None:
        super().resizeEvent(ev)
        self.resized.emit(self.display_size())

    def set_image(self, image: QImage | None) -> None:
        self._image = image
        self.update()

    def set_overlay(self, overlay: Overlay | None) -> None:
        self._overlay = overlay
        self.update()

    def set_message(self, text: str, tone: str | None = None) -> None:
        """A large line shown when there is no photo (or over it, at the bottom)."""
        self._message, self._message_tone = text, tone
        self.update()

    def set_corner(self, text: str) -> None:
        self._corner = text
        self.update()

    def clear(self) -> None:
        self._image, self._overlay = None, None
        self.update()

    @property
    def overlay(self) -> Overlay | None:
        return self._overlay

    # --- painting ---------------------------------------------------------------

    def _font(self, px: float, bold: bool = True) -> QFont:
        f = QFont(self.font())
        f.setPixelSize(max(12, int(px)))
        f.setBold(bold)
        return f

    def _image_rect(self) -> QRectF:
        assert self._image is not None
        m = self.MARGIN
        area = QRectF(self.rect()).adjusted(m, m, -m, -m)
        iw, ih = self._image.width(), self._image.height()
        # Drawn 1:1 when it fits (a blit); scaled down only after the window shrank.
        s = min(1.0, area.width() / iw, area.height() / ih)
        w, h = iw * s, ih * s
        return QRectF(area.center().x() - w / 2, area.top() + (area.height() - h) / 2, w, h)

    def paintEvent(self, _ev) -> None:
        p = QPainter(self)
        try:
            self._paint(p)
        finally:
            p.end()

    def _paint(self, p: QPainter) -> None:
        p.fillRect(self.rect(), BACKDROP)
        H = self.height()
        if self._image is None or self._image.isNull():
            self._paint_message(p, QRectF(self.rect()), center=True)
            self._paint_corner(p)
            return
        ir = self._image_rect()
        if abs(ir.width() - self._image.width()) > 0.5:
            p.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform, True)
            p.drawImage(ir, self._image)
        else:
            p.drawImage(ir.topLeft(), self._image)
        p.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        ov = self._overlay
        if ov is not None:
            color = tone_color(ov.verdict)
            if ov.crop:
                x0, y0, x1, y1 = ov.crop
                pen = QPen(QColor(255, 255, 255, 170), 2, Qt.PenStyle.DashLine)
                p.setPen(pen)
                p.setBrush(Qt.BrushStyle.NoBrush)
                p.drawRect(QRectF(ir.left() + x0 * ir.width(), ir.top() + y0 * ir.height(),
                                  (x1 - x0) * ir.width(), (y1 - y0) * ir.height()))
            p.setPen(QPen(color, max(6, H // 90)))
            p.setBrush(Qt.BrushStyle.NoBrush)
            p.drawRect(ir)
            self._paint_marks(p, ir, ov)
            self._paint_banner(p, ir, ov, color)
        if self._message:
            self._paint_message(p, QRectF(ir.left(), ir.bottom() - H * 0.12, ir.width(), H * 0.12), center=False)
        self._paint_corner(p)

    def _paint_banner(self, p: QPainter, ir: QRectF, ov: Overlay, color: QColor) -> None:
        H = self.height()
        title_font = self._font(H * 0.055)
        hint_font = self._font(H * 0.026, bold=False)
        th = QFontMetrics(title_font).height()
        hh = QFontMetrics(hint_font).height() if ov.hint else 0
        band = QRectF(ir.left(), ir.top(), ir.width(), th + hh + 16)
        fill = QColor(color)
        fill.setAlpha(225)
        p.fillRect(band, fill)
        p.setPen(Qt.GlobalColor.white)
        p.setFont(title_font)
        p.drawText(QRectF(band.left(), band.top() + 4, band.width(), th), Qt.AlignmentFlag.AlignCenter, ov.title)
        if ov.hint:
            p.setFont(hint_font)
            p.drawText(QRectF(band.left(), band.top() + 6 + th, band.width(), hh), Qt.AlignmentFlag.AlignCenter, ov.hint)

    def _paint_marks(self, p: QPainter, ir: QRectF, ov: Overlay) -> None:
        """Outline each failing region; put its sentence in the margin beside the photo."""
        H, W = self.height(), self.width()
        font = self._font(max(18, H * 0.036))
        fm = QFontMetrics(font)
        left_free = ir.left() - 16
        right_free = W - ir.right() - 16
        side_w = max(left_free, right_free)
        use_margins = side_w >= fm.horizontalAdvance("请把头发拨到耳后") * 0.8
        next_y = {"left": ir.top() + H * 0.12, "right": ir.top() + H * 0.12, "inside": ir.bottom() - 8}
        lw = max(3, H // 220)
        for verdict, text, boxes in ov.marks:
            color = tone_color(verdict)
            anchor = None
            for x0, y0, x1, y1 in boxes:
                r = QRectF(ir.left() + x0 * ir.width(), ir.top() + y0 * ir.height(),
                           (x1 - x0) * ir.width(), (y1 - y0) * ir.height())
                p.setPen(QPen(color, lw))
                p.setBrush(Qt.BrushStyle.NoBrush)
                p.drawRoundedRect(r, 6, 6)
                anchor = anchor or r
            if use_margins:
                side = "left" if (anchor is not None and anchor.center().x() < ir.center().x()
                                  and left_free >= right_free * 0.6) or right_free < 80 else "right"
                free = left_free if side == "left" else right_free
                width = min(free, fm.horizontalAdvance(text) + 24)
                flags = int(Qt.TextFlag.TextWordWrap)
                bound = fm.boundingRect(QRect(0, 0, int(width - 20), 2000), flags, text)
                h = bound.height() + 14
                want = anchor.center().y() - h / 2 if anchor is not None else next_y[side]
                y = max(next_y[side], want)
                x = ir.left() - 8 - width if side == "left" else ir.right() + 8
                box = QRectF(x, y, width, h)
                next_y[side] = y + h + 10
            else:  # no room beside the photo: stack the sentences at the bottom, over it
                width = ir.width() - 24
                bound = fm.boundingRect(QRect(0, 0, int(width - 20), 2000), int(Qt.TextFlag.TextWordWrap), text)
                h = bound.height() + 14
                box = QRectF(ir.left() + 12, next_y["inside"] - h, width, h)
                next_y["inside"] -= h + 8
            self._label(p, box, text, color, font)
            if anchor is not None:
                a = QPointF(anchor.left() if box.center().x() < anchor.center().x() else anchor.right(),
                            anchor.center().y())
                b = QPointF(box.right() if box.center().x() < anchor.center().x() else box.left(), box.center().y())
                if use_margins:
                    p.setPen(QPen(color, lw))
                    p.drawLine(b, a)

    def _label(self, p: QPainter, box: QRectF, text: str, color: QColor, font: QFont) -> None:
        fill = QColor(color)
        fill.setAlpha(235)
        p.setPen(Qt.PenStyle.NoPen)
        p.setBrush(fill)
        p.drawRoundedRect(box, 8, 8)
        p.setPen(Qt.GlobalColor.white)
        p.setFont(font)
        p.drawText(box.adjusted(10, 7, -10, -7), int(Qt.AlignmentFlag.AlignVCenter | Qt.TextFlag.TextWordWrap), text)

    def _paint_message(self, p: QPainter, rect: QRectF, center: bool) -> None:
        if not self._message:
            return
        H = self.height()
        font = self._font(H * (0.05 if center else 0.034))
        p.setFont(font)
        if not center:
            p.fillRect(rect, QColor(0, 0, 0, 150))
        p.setPen(tone_color(self._message_tone) if center and self._message_tone else Qt.GlobalColor.white)
        p.drawText(rect.adjusted(16, 0, -16, 0), int(Qt.AlignmentFlag.AlignCenter | Qt.TextFlag.TextWordWrap),
                   self._message)

    def _paint_corner(self, p: QPainter) -> None:
        if not self._corner:
            return
        p.setFont(self._font(max(12, self.height() * 0.02), bold=False))
        p.setPen(QColor(230, 230, 230))
        p.drawText(self.rect().adjusted(16, 8, -16, -8),
                   int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignBottom), self._corner)
