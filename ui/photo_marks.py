"""The failing checks on the photo: outlines where each check looked, numbered badges, and the
sentences (in the band under the photo, or beside it on a wide window), each set on one line
where it fits and never broken inside a word."""

from __future__ import annotations

import math

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QFont, QFontMetrics, QPainter, QPen

from ui import photo_paint as pp
from ui.photo_paint import MAX_OUTLINED_AREA, tone_color


class MarksPainter:
    def __init__(self, view):
        self.view = view

    # --- where things go ------------------------------------------------------------

    @staticmethod
    def outlined(boxes, ir: QRectF) -> list[QRectF]:
        return [QRectF(ir.left() + x0 * ir.width(), ir.top() + y0 * ir.height(),
                       (x1 - x0) * ir.width(), (y1 - y0) * ir.height())
                for x0, y0, x1, y1 in boxes if (x1 - x0) * (y1 - y0) <= MAX_OUTLINED_AREA]

    def badge_spots(self, ov, ir: QRectF, badge_r: float) -> list[QPointF | None]:
        """Each check's badge: at its first outlined place, inside the photo, never on another badge."""
        top = ir.top() + badge_r + 2
        placed: list[QPointF] = []
        spots: list[QPointF | None] = []
        for _verdict, _text, boxes in ov.marks:
            rects = self.outlined(boxes, ir)
            if not rects:
                spots.append(None)
                continue
            r = rects[0]
            c = self._free_spot(QPointF(max(ir.left() + badge_r, r.left() + badge_r * 0.6),
                                        max(top, r.top() + badge_r * 0.6)), badge_r, placed, ir)
            placed.append(c)
            spots.append(c)
        return spots

    @staticmethod
    def _free_spot(c: QPointF, r: float, placed: list[QPointF], ir: QRectF) -> QPointF:
        gap = 2 * r + 4
        for _ in range(12):
            clash = next((q for q in placed if (q.x() - c.x()) ** 2 + (q.y() - c.y()) ** 2 < gap * gap), None)
            if clash is None:
                break
            x = clash.x() - gap
            c = QPointF(x, c.y()) if x - r >= ir.left() else QPointF(c.x(), clash.y() + gap)
        return c

    def label_boxes(self, ov, ir: QRectF, g: dict, font: QFont) -> tuple[list[QRectF], str]:
        marks = list(ov.marks)
        if not marks:
            return [], "none"
        side = g.get("side")
        if side is not None and not side.isEmpty():
            return self._stack_side(ir, marks, side, font), "side"
        band = g["labels"]
        n = len(marks)
        cols = 1 if n <= 2 else 2
        rows = max(2, math.ceil(n / cols))
        h = (band.height() - (rows - 1) * 6) / rows
        w = (band.width() - (cols - 1) * 8) / cols
        out = []
        for i in range(n):
            r, c = (i % rows, i // rows) if cols > 1 else (i, 0)
            out.append(QRectF(band.left() + c * (w + 8), band.top() + r * (h + 6), w, h))
        return out, "below"

    def _stack_side(self, ir: QRectF, marks, side: QRectF, font: QFont) -> list[QRectF]:
        m = 12
        fm = QFontMetrics(font)
        left_free, right_free = ir.left() - side.left() - m, side.right() - ir.right() - m
        next_y = {"left": ir.top() + 10, "right": ir.top() + 10}
        out = []
        for _v, text, boxes in marks:
            cx = (boxes[0][0] + boxes[0][2]) / 2 if boxes else 1.0
            where = "left" if (cx < 0.5 and left_free >= 160) or right_free < 160 else "right"
            free = left_free if where == "left" else right_free
            width = min(free, fm.horizontalAdvance(text) + fm.height() * 1.4 + 40)
            h = fm.height() + 14
            want = ir.top() + ((boxes[0][1] + boxes[0][3]) / 2) * ir.height() - h / 2 if boxes else next_y[where]
            y = max(next_y[where], want)
            x = ir.left() - m - width if where == "left" else ir.right() + m
            out.append(QRectF(x, y, width, h))
            next_y[where] = y + h + 10
        return out

    # --- painting ---------------------------------------------------------------------

    def paint(self, p: QPainter, ir: QRectF, ov, g: dict) -> None:
        H = self.view.height()
        lw = max(3, H // 220)
        font = self.view.label_font()
        badge_r = QFontMetrics(font).height() * 0.55
        spots = self.badge_spots(ov, ir, badge_r)
        boxes, mode = self.label_boxes(ov, ir, g, font)
        for n, ((verdict, text, regions), box, spot) in enumerate(zip(ov.marks, boxes, spots), 1):
            color = tone_color(verdict)
            anchor = None
            for r in self.outlined(regions, ir):
                p.setPen(QPen(color, lw))
                p.setBrush(Qt.BrushStyle.NoBrush)
                p.drawRoundedRect(r, 6, 6)
                anchor = anchor or r
            if spot is not None:
                self.badge(p, spot, badge_r, n, color, font)
            self.label(p, box, text, color, font, n, badge_r)
            if mode == "side" and anchor is not None:
                a = QPointF(anchor.left() if box.center().x() < anchor.center().x() else anchor.right(),
                            anchor.center().y())
                b = QPointF(box.right() if box.center().x() < anchor.center().x() else box.left(), box.center().y())
                p.setPen(QPen(color, lw))
                p.drawLine(b, a)

    @staticmethod
    def badge(p: QPainter, c: QPointF, r: float, n: int, color: QColor, font: QFont) -> None:
        p.setPen(QPen(Qt.GlobalColor.white, 2))
        p.setBrush(color)
        p.drawEllipse(c, r, r)
        p.setFont(font)
        p.drawText(QRectF(c.x() - r, c.y() - r, 2 * r, 2 * r), Qt.AlignmentFlag.AlignCenter, str(n))

    def label(self, p: QPainter, box: QRectF, text: str, color: QColor, font: QFont, n: int, r: float) -> None:
        fill = QColor(color)
        fill.setAlpha(235)
        p.setPen(Qt.PenStyle.NoPen)
        p.setBrush(fill)
        p.drawRoundedRect(box, 8, 8)
        self.badge(p, QPointF(box.left() + 8 + r, box.center().y()), r, n, color.darker(130), font)
        p.setPen(Qt.GlobalColor.white)
        inner = box.adjusted(16 + 2 * r, 4, -10, -4)
        f, lines = self.set_text(text, font, inner)
        pp.draw_lines(p, inner, f, lines)

    @staticmethod
    def set_text(text: str, font: QFont, inner: QRectF) -> tuple[QFont, list[str]]:
        """One line if it fits (smaller letters if need be), else lines broken between phrases only."""
        f, lines = pp.fit_lines(text, font, inner.width())
        while len(lines) * QFontMetrics(f).height() > inner.height() and f.pixelSize() > 12:
            g = QFont(f)
            g.setPixelSize(f.pixelSize() - 1)
            f, lines = pp.fit_lines(text, g, inner.width(), min_px=12)
        return f, lines
