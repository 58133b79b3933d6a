"""The picture, with the verdict drawn on it: readable from the camera position.

A green or red frame and banner say pass or fail at a glance. Each failing
check is outlined where it looked (the ears, the eyebrows, the glasses, the
top) with a numbered badge, and its Chinese sentence stands under the photo
(or beside it, when the window is wide) with the same number, in letters
sized to the window, so no sentence hides the part of the photo it is about.
The image arrives decoded by a worker at the size it is shown, so painting
is a blit; a smaller rectangle (room for the sentences) is scaled once and kept.
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
# A region larger than this share of the photo (the background) is named, not outlined.
MAX_OUTLINED_AREA = 0.45


@dataclass
class Overlay:
    """What to draw over the photo (built by the window from a ShotInfo)."""

    verdict: str | None  # pass / warn / fail / error / None (checking)
    title: str  # the banner text
    hint: str = ""  # the keys, under the banner
    marks: tuple[tuple[str, str, tuple[tuple[float, float, float, float], ...]], ...] = ()  # (verdict, text, boxes)
    crop: tuple[float, float, float, float] | None = None
    footnote: str = ""  # e.g. the checks that could not be assessed


def tone_color(verdict: str | None) -> QColor:
    return {"pass": GREEN, "warn": AMBER, "fail": RED, "error": RED}.get(verdict or "", GREY)


class PhotoView(QWidget):
    resized = Signal(QSize)  # the new display_size(): photos are decoded to fit it

    MARGIN = 12

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setMinimumSize(480, 400)
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # the input field keeps the focus
        self._image: QImage | None = None
        self._scaled: QImage | None = None
        self._overlay: Overlay | None = None
        self._message = ""
        self._message_tone: str | None = None
        self._corner = ""

    # --- state ----------------------------------------------------------------

    def display_size(self) -> QSize:
        """The largest image drawn without scaling (the worker decodes to this)."""
        return QSize(max(64, self.width() - 2 * self.MARGIN), max(64, self.height() - 2 * self.MARGIN))

    def resizeEvent(self, ev) -> None:
        super().resizeEvent(ev)
        self.resized.emit(self.display_size())

    def set_image(self, image: QImage | None) -> None:
        self._image, self._scaled = image, None
        self.update()

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
        self.update()

    @property
    def overlay(self) -> Overlay | None:
        return self._overlay

    @property
    def has_image(self) -> bool:
        return self._image is not None and not self._image.isNull()

    # --- layout ---------------------------------------------------------------

    def _font(self, px: float, bold: bool = True) -> QFont:
        f = QFont(self.font())
        f.setPixelSize(max(12, int(px)))
        f.setBold(bold)
        return f

    def _label_font(self) -> QFont:
        return self._font(max(18, self.height() * 0.034))

    def _fit(self, area: QRectF) -> QRectF:
        iw, ih = self._image.width(), self._image.height()
        s = min(1.0, area.width() / iw, area.height() / ih)
        w, h = iw * s, ih * s
        return QRectF(area.center().x() - w / 2, area.top() + (area.height() - h) / 2, w, h)

    def _layout(self, ov: Overlay | None) -> tuple[QRectF, list[tuple[QRectF, str]], str]:
        """The photo's rectangle and where each sentence goes ("side" or "below")."""
        m = self.MARGIN
        area = QRectF(self.rect()).adjusted(m, m, -m, -m)
        marks = list(ov.marks) if ov else []
        if not marks:
            return self._fit(area), [], "none"
        fm = QFontMetrics(self._label_font())
        ir = self._fit(area)
        side = max(ir.left() - m, self.width() - ir.right() - m)
        if side >= fm.horizontalAdvance("①请把头发拨到耳后") + 30:
            return ir, self._stack_side(ir, marks, fm), "side"
        width = area.width()
        heights = [self._text_height(fm, text, width) for _v, text, _b in marks]
        band = sum(heights) + 8 * len(heights)
        ir = self._fit(area.adjusted(0, 0, 0, -band))
        boxes, y = [], ir.bottom() + 8
        for h, (_v, text, _b) in zip(heights, marks):
            boxes.append((QRectF(area.left(), y, width, h), text))
            y += h + 8
        return ir, boxes, "below"

    def _stack_side(self, ir: QRectF, marks, fm) -> list[tuple[QRectF, str]]:
        m = self.MARGIN
        left_free, right_free = ir.left() - 2 * m, self.width() - ir.right() - 2 * m
        next_y = {"left": ir.top() + self.height() * 0.14, "right": ir.top() + self.height() * 0.14}
        out = []
        for _v, text, boxes in marks:
            cx = (boxes[0][0] + boxes[0][2]) / 2 if boxes else 1.0
            side = "left" if (cx < 0.5 and left_free >= 160) or right_free < 160 else "right"
            free = left_free if side == "left" else right_free
            width = min(free, fm.horizontalAdvance(text) + 60)
            h = self._text_height(fm, text, width)
            want = ir.top() + ((boxes[0][1] + boxes[0][3]) / 2) * ir.height() - h / 2 if boxes else next_y[side]
            y = max(next_y[side], want)
            x = ir.left() - m - width if side == "left" else ir.right() + m
            out.append((QRectF(x, y, width, h), text))
            next_y[side] = y + h + 10
        return out

    @staticmethod
    def _text_height(fm: QFontMetrics, text: str, width: float) -> float:
        bound = fm.boundingRect(QRect(0, 0, int(width - 20 - fm.height() * 1.4), 4000),
                                int(Qt.TextFlag.TextWordWrap), text)
        return max(bound.height(), fm.height()) + 14

    # --- painting ---------------------------------------------------------------

    def paintEvent(self, _ev) -> None:
        p = QPainter(self)
        try:
            self._paint(p)
        finally:
            p.end()

    def _paint(self, p: QPainter) -> None:
        p.fillRect(self.rect(), BACKDROP)
        if not self.has_image:
            self._paint_message(p, QRectF(self.rect()), center=True)
            self._paint_corner(p)
            return
        ov = self._overlay
        ir, labels, mode = self._layout(ov)
        self._draw_image(p, ir)
        p.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        if ov is not None:
            color = tone_color(ov.verdict)
            if ov.crop:
                x0, y0, x1, y1 = ov.crop
                p.setPen(QPen(QColor(255, 255, 255, 150), 2, Qt.PenStyle.DashLine))
                p.setBrush(Qt.BrushStyle.NoBrush)
                p.drawRect(QRectF(ir.left() + x0 * ir.width(), ir.top() + y0 * ir.height(),
                                  (x1 - x0) * ir.width(), (y1 - y0) * ir.height()))
            p.setPen(QPen(color, max(6, self.height() // 90)))
            p.setBrush(Qt.BrushStyle.NoBrush)
            p.drawRect(ir)
            self._paint_marks(p, ir, ov, labels, mode)
            self._paint_banner(p, ir, ov, color)
        if self._message:
            H = self.height()
            self._paint_message(p, QRectF(ir.left(), ir.bottom() - H * 0.11, ir.width(), H * 0.11), center=False)
        self._paint_corner(p)

    def _draw_image(self, p: QPainter, ir: QRectF) -> None:
        img = self._image
        if abs(ir.width() - img.width()) > 0.5:
            want = QSize(round(ir.width()), round(ir.height()))
            if self._scaled is None or self._scaled.size() != want:
                self._scaled = img.scaled(want, Qt.AspectRatioMode.IgnoreAspectRatio,
                                          Qt.TransformationMode.SmoothTransformation)
            img = self._scaled
        p.drawImage(ir.topLeft(), img)

    def _banner_height(self, ov: Overlay) -> float:
        H = self.height()
        th = QFontMetrics(self._font(H * 0.055)).height()
        hh = QFontMetrics(self._font(H * 0.026, bold=False)).height() if ov.hint else 0
        return th + hh + 16

    def _paint_banner(self, p: QPainter, ir: QRectF, ov: Overlay, color: QColor) -> None:
        H = self.height()
        title_font = self._font(H * 0.055)
        hint_font = self._font(H * 0.026, bold=False)
        th = QFontMetrics(title_font).height()
        hh = QFontMetrics(hint_font).height() if ov.hint else 0
        band = QRectF(ir.left(), ir.top(), ir.width(), self._banner_height(ov))
        fill = QColor(color)
        fill.setAlpha(225)
        p.fillRect(band, fill)
        p.setPen(Qt.GlobalColor.white)
        p.setFont(title_font)
        p.drawText(QRectF(band.left(), band.top() + 4, band.width(), th), Qt.AlignmentFlag.AlignCenter, ov.title)
        if ov.hint:
            p.setFont(hint_font)
            p.drawText(QRectF(band.left(), band.top() + 6 + th, band.width(), hh), Qt.AlignmentFlag.AlignCenter, ov.hint)
        if ov.footnote:
            f = self._font(max(12, H * 0.018), bold=False)
            fh = QFontMetrics(f).height() + 6
            foot = QRectF(ir.left(), ir.bottom() - fh, ir.width(), fh)
            p.fillRect(foot, QColor(0, 0, 0, 140))
            p.setFont(f)
            p.setPen(QColor(235, 235, 235))
            p.drawText(foot.adjusted(8, 0, -8, 0), int(Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft),
                       ov.footnote)

    def _paint_marks(self, p: QPainter, ir: QRectF, ov: Overlay, labels, mode: str) -> None:
        H = self.height()
        lw = max(3, H // 220)
        font = self._label_font()
        badge_r = QFontMetrics(font).height() * 0.55
        spots = self._badge_spots(ov, ir, badge_r)
        for n, ((verdict, _text, boxes), (box, text), spot) in enumerate(zip(ov.marks, labels, spots), 1):
            color = tone_color(verdict)
            anchor = None
            for r in self._outlined(boxes, ir):
                p.setPen(QPen(color, lw))
                p.setBrush(Qt.BrushStyle.NoBrush)
                p.drawRoundedRect(r, 6, 6)
                anchor = anchor or r
            if spot is not None:  # one badge per check, however many places it marked
                self._badge(p, spot, badge_r, n, color, font)
            self._label(p, box, text, color, font, n, badge_r)
            if mode == "side" and anchor is not None:
                a = QPointF(anchor.left() if box.center().x() < anchor.center().x() else anchor.right(),
                            anchor.center().y())
                b = QPointF(box.right() if box.center().x() < anchor.center().x() else box.left(), box.center().y())
                p.setPen(QPen(color, lw))
                p.drawLine(b, a)

    @staticmethod
    def _outlined(boxes, ir: QRectF) -> list[QRectF]:
        return [QRectF(ir.left() + x0 * ir.width(), ir.top() + y0 * ir.height(),
                       (x1 - x0) * ir.width(), (y1 - y0) * ir.height())
                for x0, y0, x1, y1 in boxes if (x1 - x0) * (y1 - y0) <= MAX_OUTLINED_AREA]

    def _badge_spots(self, ov: Overlay, ir: QRectF, badge_r: float) -> list[QPointF | None]:
        """Each check's badge: at its first outlined place, below the banner (drawn last, it would hide
        them) and never on top of another badge."""
        top = ir.top() + self._banner_height(ov) + badge_r + 2
        placed: list[QPointF] = []
        spots: list[QPointF | None] = []
        for _verdict, _text, boxes in ov.marks:
            rects = self._outlined(boxes, ir)
            if not rects:
                spots.append(None)
                continue
            r = rects[0]
            c = self._free_spot(QPointF(r.left() + badge_r * 0.6, max(top, r.top() + badge_r * 0.6)), badge_r,
                                placed, ir)
            placed.append(c)
            spots.append(c)
        return spots

    def badge_layout(self) -> tuple[QRectF, list[QPointF | None], float, float]:
        """Where the current overlay's badges go: (photo rectangle, centres, radius, banner's bottom)."""
        ov = self._overlay
        ir, _labels, _mode = self._layout(ov)
        r = QFontMetrics(self._label_font()).height() * 0.55
        return ir, self._badge_spots(ov, ir, r) if ov else [], r, ir.top() + (self._banner_height(ov) if ov else 0)

    @staticmethod
    def _free_spot(c: QPointF, r: float, placed: list[QPointF], ir: QRectF) -> QPointF:
        """``c``, moved along the photo until its circle clears every badge already placed."""
        gap = 2 * r + 4
        for _ in range(12):
            clash = next((q for q in placed if (q.x() - c.x()) ** 2 + (q.y() - c.y()) ** 2 < gap * gap), None)
            if clash is None:
                break
            # beside the badge it hits (to the left, unless that leaves the photo), else under it
            x = clash.x() - gap
            c = QPointF(x, c.y()) if x - r >= ir.left() else QPointF(c.x(), clash.y() + gap)
        return c

    def _badge(self, p: QPainter, c: QPointF, r: float, n: int, color: QColor, font: QFont) -> None:
        p.setPen(QPen(Qt.GlobalColor.white, 2))
        p.setBrush(color)
        p.drawEllipse(c, r, r)
        p.setFont(font)
        p.drawText(QRectF(c.x() - r, c.y() - r, 2 * r, 2 * r), Qt.AlignmentFlag.AlignCenter, str(n))

    def _label(self, p: QPainter, box: QRectF, text: str, color: QColor, font: QFont, n: int, r: float) -> None:
        fill = QColor(color)
        fill.setAlpha(235)
        p.setPen(Qt.PenStyle.NoPen)
        p.setBrush(fill)
        p.drawRoundedRect(box, 8, 8)
        self._badge(p, QPointF(box.left() + 8 + r, box.center().y()), r, n, color.darker(130), font)
        p.setPen(Qt.GlobalColor.white)
        p.setFont(font)
        p.drawText(box.adjusted(16 + 2 * r, 7, -10, -7), int(Qt.AlignmentFlag.AlignVCenter | Qt.TextFlag.TextWordWrap),
                   text)

    def _paint_message(self, p: QPainter, rect: QRectF, center: bool) -> None:
        if not self._message:
            return
        H = self.height()
        p.setFont(self._font(H * (0.05 if center else 0.032)))
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
        # top right: over the dark margin beside the photo, never over a sentence under it
        p.drawText(self.rect().adjusted(16, 8, -16, -8),
                   int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignTop), self._corner)
