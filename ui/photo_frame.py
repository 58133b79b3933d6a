"""The photo view's painting (the widget's state, zoom and input are ``ui/photo_view.py``).

:class:`PhotoPainting` is the part of :class:`ui.photo_view.PhotoView` that draws one
frame from the view's state: the photo fitted or zoomed, the live view's guide, the
banner outside the photo, the footnote, the EXIF line and histogram, the compare
view, the message and the corner. The check marks are ``ui/photo_marks.py``'s.
"""

from __future__ import annotations

from PySide6.QtCore import QPointF, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QFontMetrics, QImage, QPainter, QPen

from ui import photo_paint as pp
from ui.photo_paint import BACKDROP, tone_color


class PhotoPainting:
    """Mixed into PhotoView (its strings are translated under the view's class names, as PySide's
    ``tr`` looks them up along the MRO)."""

    def paintEvent(self, _ev) -> None:
        p = QPainter(self)
        try:
            self._paint(p)
        finally:
            p.end()

    def _paint(self, p: QPainter) -> None:
        p.fillRect(self.rect(), BACKDROP)
        if self._compare is not None:
            self._paint_compare(p)
            return
        if not self.has_image:
            self._paint_message(p, QRectF(self.rect()), center=True)
            self._paint_corner(p)
            return
        g = self.geometry_rects()
        ov = self._overlay
        if self._live:
            ir = self.photo_rect()
            self._draw_fitted(p, ir)
            pp.paint_live_guide(p, ir, self.tr("眼睛对准这条线"))
            self._paint_info(p, g["info"], self.tr("实时取景 · 拍摄时暂停"))
            return
        if self._zoom is not None:
            vp = g["canvas"]
            self._draw_zoomed(p, vp, self._full or self._image, self._native, self._center)
            if ov is not None:
                p.setPen(QPen(tone_color(ov.verdict), max(4, self.height() // 120)))
                p.drawRect(vp)
            self._paint_zoom_tag(p, vp)
        else:
            ir = self.photo_rect()
            self._draw_fitted(p, ir)
            p.setRenderHint(QPainter.RenderHint.Antialiasing, True)
            if ov is not None:
                if ov.crop:
                    x0, y0, x1, y1 = ov.crop
                    p.setPen(QPen(QColor(255, 255, 255, 150), 2, Qt.PenStyle.DashLine))
                    p.setBrush(Qt.BrushStyle.NoBrush)
                    p.drawRect(QRectF(ir.left() + x0 * ir.width(), ir.top() + y0 * ir.height(),
                                      (x1 - x0) * ir.width(), (y1 - y0) * ir.height()))
                p.setPen(QPen(tone_color(ov.verdict), max(6, self.height() // 90)))
                p.setBrush(Qt.BrushStyle.NoBrush)
                p.drawRect(ir)
                self._marks.paint(p, ir, ov, g)
                self._paint_footnote(p, ir, ov)
            if self._message:
                H = self.height()
                self._paint_message(p, QRectF(ir.left(), ir.bottom() - H * 0.11, ir.width(), H * 0.11), center=False)
        if ov is not None:
            self._paint_banner(p, self.banner_rect(), ov.title, ov.hint, tone_color(ov.verdict))
        self._paint_info(p, g["info"])
        self._paint_corner(p)

    def _draw_fitted(self, p: QPainter, ir: QRectF) -> None:
        img = self._image
        if abs(ir.width() - img.width()) > 0.5:
            want = QSize(round(ir.width()), round(ir.height()))
            if self._scaled is None or self._scaled.size() != want:
                mode = (Qt.TransformationMode.FastTransformation if self._live
                        else Qt.TransformationMode.SmoothTransformation)
                self._scaled = img.scaled(want, Qt.AspectRatioMode.IgnoreAspectRatio, mode)
            img = self._scaled
        p.drawImage(ir.topLeft(), img)

    def _draw_zoomed(self, p: QPainter, vp: QRectF, img: QImage | None, nat: QSize | None, center: QPointF) -> None:
        """The part of ``img`` that falls in ``vp`` at the current zoom around ``center`` (normalised)."""
        if img is None or nat is None or not nat.isValid():
            return
        z = self._zoom or 1.0
        W, H = nat.width() * z, nat.height() * z  # the whole photo on screen
        left = vp.center().x() - center.x() * W
        top = vp.center().y() - center.y() * H
        dest = QRectF(left, top, W, H).intersected(vp)
        if dest.isEmpty():
            return
        sx, sy = img.width() / W, img.height() / H
        src = QRectF((dest.left() - left) * sx, (dest.top() - top) * sy, dest.width() * sx, dest.height() * sy)
        p.save()
        p.setClipRect(vp)
        p.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform, z < 1.0)
        p.drawImage(dest, img, src)
        p.restore()

    def _paint_zoom_tag(self, p: QPainter, vp: QRectF) -> None:
        pct = round((self._zoom or 0) * 100)
        text = self.tr("{pct}% · Z 返回全图 · 拖动平移").format(pct=pct)
        if not self.full_resolution:
            text += self.tr(" · 正在载入原图…")
        f = self._font(max(14, self.height() * 0.022), bold=False)
        fm = QFontMetrics(f)
        r = QRectF(vp.left() + 8, vp.top() + 8, fm.horizontalAdvance(text) + 20, fm.height() + 10)
        p.fillRect(r, QColor(0, 0, 0, 170))
        p.setPen(Qt.GlobalColor.white)
        p.setFont(f)
        p.drawText(r, Qt.AlignmentFlag.AlignCenter, text)

    def _paint_banner(self, p: QPainter, band: QRectF, title: str, hint: str, color: QColor,
                      scale: float = 1.0) -> None:
        H = self.height() * scale
        title_font = self._font(H * 0.055)
        hint_font = self._font(H * 0.026, bold=False)
        fill = QColor(color)
        fill.setAlpha(235)
        p.fillRect(band, fill)
        p.setPen(Qt.GlobalColor.white)
        tf, tl = pp.fit_lines(title, title_font, band.width() - 16)
        th = QFontMetrics(tf).height()
        hh = QFontMetrics(hint_font).height() if hint else 0
        top = band.top() + (band.height() - th - hh) / 2
        p.setFont(tf)
        p.drawText(QRectF(band.left(), top, band.width(), th), Qt.AlignmentFlag.AlignCenter, tl[0])
        if hint:
            hf, hl = pp.fit_lines(hint, hint_font, band.width() - 16, min_px=12)
            p.setFont(hf)
            p.drawText(QRectF(band.left(), top + th, band.width(), hh), Qt.AlignmentFlag.AlignCenter, hl[0])

    def _paint_footnote(self, p: QPainter, ir: QRectF, ov) -> None:
        if not ov.footnote:
            return
        f = self._font(max(12, self.height() * 0.018), bold=False)
        fh = QFontMetrics(f).height() + 6
        foot = QRectF(ir.left(), ir.bottom() - fh, ir.width(), fh)
        p.fillRect(foot, QColor(0, 0, 0, 140))
        p.setFont(f)
        p.setPen(QColor(235, 235, 235))
        p.drawText(foot.adjusted(8, 0, -8, 0), int(Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft),
                   ov.footnote)

    def _paint_info(self, p: QPainter, r: QRectF, text: str | None = None) -> None:
        info = self._info
        if text is None:
            if info is None:
                return
            text = info.exif_line() or self.tr("无曝光信息 (EXIF)")
            text += f"  ·  {info.width}×{info.height}"
            if info.clipped_high:
                text += "  ·  " + self.tr("高光溢出 {p:.1f}%").format(p=info.highlights_clipped * 100)
            if info.clipped_low:
                text += "  ·  " + self.tr("暗部死黑 {p:.1f}%").format(p=info.shadows_clipped * 100)
        hist_w = min(200.0, r.width() * 0.3) if info is not None and not self._live else 0.0
        f = self._font(max(13, r.height() * 0.42), bold=False)
        p.setPen(QColor(225, 225, 225))
        f2, lines = pp.fit_lines(text, f, r.width() - hist_w - 16, min_px=12)
        pp.draw_lines(p, QRectF(r.left() + 4, r.top(), r.width() - hist_w - 16, r.height()), f2, lines[:2])
        if hist_w:
            pp.paint_histogram(p, QRectF(r.right() - hist_w, r.top(), hist_w, r.height()), info.hist,
                               info.clipped_low, info.clipped_high)

    def _paint_compare(self, p: QPainter) -> None:
        g = self.geometry_rects()
        canvas = g["canvas"]
        half = canvas.width() / 2
        for i, pane in enumerate(self._compare):
            vp = QRectF(canvas.left() + i * half + (4 if i else 0), canvas.top(), half - 4, canvas.height())
            band = QRectF(vp.left(), g["banner"].top(), vp.width(), g["banner"].height())
            self._paint_banner(p, band, pane.overlay.title, pane.overlay.hint, tone_color(pane.overlay.verdict),
                               scale=0.8)
            if pane.image is None:
                continue
            if self._zoom is None:
                nat = pane.native if pane.native is not None and pane.native.isValid() else pane.image.size()
                a = nat.width() / max(1, nat.height())
                w = min(vp.width(), vp.height() * a)
                ir = QRectF(vp.center().x() - w / 2, vp.center().y() - w / a / 2, w, w / a)
                p.drawImage(ir, pane.image)
                p.setPen(QPen(tone_color(pane.overlay.verdict), 4))
                p.drawRect(ir)
            else:
                self._draw_zoomed(p, vp, pane.image, pane.native, self._center)
                p.setPen(QPen(tone_color(pane.overlay.verdict), 4))
                p.drawRect(vp)
        if self._zoom is not None:
            self._paint_zoom_tag(p, canvas)
        self._paint_info(p, g["info"], self.tr("对比: 左 = 较早的一张, 右 = 当前这张 · C 结束对比"))

    def _paint_message(self, p: QPainter, rect: QRectF, center: bool) -> None:
        if not self._message:
            return
        H = self.height()
        f = self._font(H * (0.05 if center else 0.032))
        if not center:
            p.fillRect(rect, QColor(0, 0, 0, 150))
        p.setPen(tone_color(self._message_tone) if center and self._message_tone else Qt.GlobalColor.white)
        box = rect.adjusted(16, 0, -16, 0)
        f2, lines = pp.fit_lines(self._message, f, box.width(), min_px=14)
        pp.draw_lines(p, box, f2, lines, Qt.AlignmentFlag.AlignHCenter)

    def _paint_corner(self, p: QPainter) -> None:
        if not self._corner:
            return
        p.setFont(self._font(max(12, self.height() * 0.02), bold=False))
        p.setPen(QColor(230, 230, 230))
        # top right: over the dark margin beside the banner, never over a sentence
        p.drawText(self.rect().adjusted(16, 8, -16, -8),
                   int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignTop), self._corner)
