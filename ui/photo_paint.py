"""Drawing helpers of the photo view: sentences that never break mid-word, the histogram, the live guide.

Chinese has no spaces, so Qt's word wrap breaks a sentence between any two
characters ("请摘下眼/镜"). A sentence is set on one line, the letters made
smaller to fit (down to a floor); only a sentence still too long is broken,
and then only after its punctuation (，、；：,;:) or between its phrases.
"""

from __future__ import annotations

import re

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QFont, QFontMetricsF, QPainter, QPainterPath, QPen

GREEN = QColor("#1f9d55")
RED = QColor("#d62828")
AMBER = QColor("#e09f00")
GREY = QColor("#5c6670")
BACKDROP = QColor("#1b1e22")
# A region larger than this share of the photo (the background) is named, not outlined.
MAX_OUTLINED_AREA = 0.45


def tone_color(verdict: str | None) -> QColor:
    """A verdict's colour: green pass, amber warning, red fail or error, grey while checking."""
    return {"pass": GREEN, "warn": AMBER, "fail": RED, "error": RED}.get(verdict or "", GREY)


# Break opportunities: after punctuation, around a space / "·" between phrases, or before an opening
# bracket (an aside such as "(外套请脱掉)" may go on the next line).
_PHRASES = re.compile(r"[(（]?[^，、；：,;:。！？·\s(（]+[，、；：,;:。！？·]?\s*|[·\s]+")

# The 480×640 delivery frame and its eye line (qc/profiles/default.toml, [crop]: eye line 300–360 px
# from the top, aimed at 330): drawn over the live view where the student should sit.
CROP_W, CROP_H = 480, 640
EYE_LINE_PX = 330


def phrases(text: str) -> list[str]:
    return [p for p in _PHRASES.findall(text) if p.strip()] or [text]


def fit_lines(text: str, font: QFont, width: float, min_px: int = 14) -> tuple[QFont, list[str]]:
    """The font (possibly smaller) and lines that set ``text`` within ``width``, broken only between phrases."""
    f = QFont(font)
    px = font.pixelSize() if font.pixelSize() > 0 else 18
    floor = max(min_px, int(px * 0.72))
    while True:
        fm = QFontMetricsF(f)
        if fm.horizontalAdvance(text) <= width or px <= floor:
            break
        px -= 1
        f.setPixelSize(px)
    fm = QFontMetricsF(f)
    if fm.horizontalAdvance(text) <= width:
        return f, [text]
    lines: list[str] = []
    cur = ""
    for ph in phrases(text):
        if cur and fm.horizontalAdvance(cur + ph) > width:
            lines.append(cur.rstrip())
            cur = ph.lstrip()
        else:
            cur += ph
    if cur.strip():
        lines.append(cur.rstrip())
    return f, lines


def draw_lines(p: QPainter, rect: QRectF, font: QFont, lines: list[str], align=Qt.AlignmentFlag.AlignLeft) -> None:
    fm = QFontMetricsF(font)
    h = fm.height()
    y = rect.top() + (rect.height() - h * len(lines)) / 2
    p.setFont(font)
    for line in lines:
        p.drawText(QRectF(rect.left(), y, rect.width(), h), int(align | Qt.AlignmentFlag.AlignVCenter), line)
        y += h


def paint_histogram(p: QPainter, r: QRectF, hist, clipped_low: bool, clipped_high: bool) -> None:
    """Luminance filled, R/G/B as thin lines, a red mark at an end where a channel is clipped."""
    p.save()
    p.fillRect(r, QColor(0, 0, 0, 170))
    inner = r.adjusted(4, 4, -4, -4)
    # square roots: a plain backdrop's spike would flatten everything else
    hist = [[v ** 0.5 for v in h] for h in hist]
    peak = max(max(h) for h in hist) or 1.0
    n = len(hist[0])

    def path(h, closed: bool) -> QPainterPath:
        pp = QPainterPath(QPointF(inner.left(), inner.bottom()))
        for i, v in enumerate(h):
            x = inner.left() + inner.width() * (i + 0.5) / n
            pp.lineTo(QPointF(x, inner.bottom() - inner.height() * min(1.0, v / peak)))
        pp.lineTo(QPointF(inner.right(), inner.bottom()))
        if closed:
            pp.closeSubpath()
        return pp

    p.setRenderHint(QPainter.RenderHint.Antialiasing, True)
    p.setPen(Qt.PenStyle.NoPen)
    p.setBrush(QColor(220, 220, 220, 150))
    p.drawPath(path(hist[0], True))
    p.setBrush(Qt.BrushStyle.NoBrush)
    for h, c in zip(hist[1:], (QColor(255, 90, 90, 200), QColor(90, 220, 90, 200), QColor(110, 150, 255, 200))):
        p.setPen(QPen(c, 1))
        p.drawPath(path(h, False))
    mark = QColor("#ff3b30")
    w = max(4.0, r.width() * 0.04)
    if clipped_low:
        p.fillRect(QRectF(r.left(), r.top(), w, r.height()), mark)
    if clipped_high:
        p.fillRect(QRectF(r.right() - w, r.top(), w, r.height()), mark)
    p.restore()


def guide_rect(frame: QRectF) -> QRectF:
    """The 3:4 delivery frame, as tall as the live picture allows, centred on it."""
    h = frame.height()
    w = h * CROP_W / CROP_H
    if w > frame.width():
        w = frame.width()
        h = w * CROP_H / CROP_W
    return QRectF(frame.center().x() - w / 2, frame.center().y() - h / 2, w, h)


def paint_live_guide(p: QPainter, frame: QRectF, eye_text: str) -> QRectF:
    """The 480×640 crop frame and the eye line over a live picture; returns the crop frame."""
    g = guide_rect(frame)
    p.save()
    p.setRenderHint(QPainter.RenderHint.Antialiasing, True)
    shade = QColor(0, 0, 0, 110)  # outside the frame: what the delivery crop cuts off
    p.fillRect(QRectF(frame.left(), frame.top(), g.left() - frame.left(), frame.height()), shade)
    p.fillRect(QRectF(g.right(), frame.top(), frame.right() - g.right(), frame.height()), shade)
    p.setPen(QPen(QColor(255, 255, 255, 230), 2))
    p.setBrush(Qt.BrushStyle.NoBrush)
    p.drawRect(g)
    y = g.top() + g.height() * EYE_LINE_PX / CROP_H
    p.setPen(QPen(QColor("#ffd60a"), 2, Qt.PenStyle.DashLine))
    p.drawLine(QPointF(g.left(), y), QPointF(g.right(), y))
    f = QFont(p.font())
    f.setPixelSize(max(12, int(g.height() * 0.03)))
    p.setFont(f)
    p.setPen(QColor("#ffd60a"))
    p.drawText(QRectF(g.left() + 6, y - QFontMetricsF(f).height() - 2, g.width() - 12, QFontMetricsF(f).height()),
               int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter), eye_text)
    p.restore()
    return g
