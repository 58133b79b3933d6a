"""The photographer's window as a crew sees it: no roster, the photo view (zoom, pan, compare,
EXIF, histogram, same size for pass and fail), nothing of the previous student after Esc."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

WAIT_MS = 20_000


def test_a_scan_with_no_roster_says_no_roster_is_loaded_not_f2(qtbot, db, make_window):
    win = make_window(db, camera=False)
    qtbot.waitUntil(lambda: win._roster_size == 0, timeout=WAIT_MS)
    assert "还没有导入名单" in win.message.text()
    qtbot.keyClicks(win.input, "2023000123")
    qtbot.keyClick(win.input, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: "还没有导入名单" in win.message.text() and win._roster_size == 0, timeout=WAIT_MS)
    assert "F2" not in win.message.text()


# --- the photo view on its own -----------------------------------------------------------------

def _jpeg_with_exif(path, size=(1800, 2400), clip=False):
    """A real portrait (Grace Hopper, enlarged) with a camera's EXIF exposure block."""
    import matplotlib.cbook as cbook
    from PIL import Image

    im = Image.open(cbook.get_sample_data("grace_hopper.jpg", asfileobj=False)).convert("RGB").resize(size)
    if clip:
        im.paste((255, 255, 255), (0, 0, size[0], size[1] // 5))  # a blown-out top fifth
    exif = Image.Exif()
    ifd = exif.get_ifd(0x8769)
    ifd[0x829A] = 1 / 125  # ExposureTime
    ifd[0x829D] = 8.0  # FNumber
    ifd[0x8827] = 200  # ISOSpeedRatings
    ifd[0x920A] = 85.0  # FocalLength
    im.save(path, "JPEG", quality=90, exif=exif)
    return str(path)


def _overlay(verdict, marks=()):
    from ui.photo_view import Overlay

    return Overlay(verdict, "合格 ✓" if verdict == "pass" else "不合格 ✗", "回车 接受 · R 重拍", marks,
                   (0.2, 0.1, 0.8, 0.9))


@pytest.fixture
def view(qtbot, tmp_path):
    from ui.photo_view import PhotoView
    from ui.workers import load_scaled

    v = PhotoView()
    qtbot.addWidget(v)
    v.resize(900, 860)
    v.show()
    path = _jpeg_with_exif(tmp_path / "p.jpg")
    size = v.display_size()
    v.set_image(load_scaled(path, size.width(), size.height()), path)
    return v, path


FAIL_MARKS = (
    ("fail", "请摘下眼镜", ((0.40, 0.30, 0.60, 0.38),)),
    ("fail", "请换白色上衣(外套请脱掉)", ((0.05, 0.7, 0.95, 0.99),)),
    ("fail", "背景太暗,请使用浅色背景并打亮背景", ((0.0, 0.0, 1.0, 1.0),)),
    ("warn", "请摘下耳环", ((0.3, 0.4, 0.34, 0.45),)),
)


def test_pass_and_fail_are_drawn_the_same_size_in_the_same_place(view):
    v, _path = view
    v.set_overlay(_overlay("pass"))
    passed = v.photo_rect()
    v.set_overlay(_overlay("fail", FAIL_MARKS))
    failed = v.photo_rect()
    assert passed == failed
    v.set_overlay(None)
    assert v.photo_rect() == passed
    assert not v.grab().isNull()


def test_the_banner_is_outside_the_photo_and_its_crop_frame(view):
    v, _path = view
    v.set_overlay(_overlay("fail", FAIL_MARKS))
    ir, spots, r, banner_bottom = v.badge_layout()
    assert v.banner_rect().bottom() <= ir.top()  # above the photo: the crop frame's top is visible
    assert all(s is None or s.y() - r >= ir.top() for s in spots)


def test_sentences_never_break_inside_a_word(qapp):
    from PySide6.QtGui import QFont

    from ui.photo_paint import fit_lines

    f = QFont()
    f.setPixelSize(30)
    for text, width in (("请摘下眼镜", 120), ("请把头发拨到耳后, 露出耳朵", 200), ("背景太暗,请使用浅色背景并打亮背景", 260)):
        font, lines = fit_lines(text, f, width)
        assert "".join(lines).replace(" ", "") == text.replace(" ", "")
        for line in lines[:-1]:  # every break falls after punctuation
            assert line.rstrip()[-1] in ",，、;；:：。", (text, lines)
    font, lines = fit_lines("请摘下眼镜", f, 120)
    assert lines == ["请摘下眼镜"]  # short: one line, smaller letters


def test_exif_line_and_histogram_with_clipping(qtbot, tmp_path, view):
    v, path = view
    qtbot.waitUntil(lambda: v.info is not None, timeout=WAIT_MS)
    line = v.info.exif_line()
    assert line == "1/125 s  f/8  ISO 200  85 mm"
    assert (v.info.width, v.info.height) == (1800, 2400)
    assert not v.info.clipped_high
    clipped = _jpeg_with_exif(tmp_path / "clipped.jpg", clip=True)
    from ui.workers import load_scaled

    v.set_image(load_scaled(clipped, 400, 400), clipped)
    qtbot.waitUntil(lambda: v.info is not None, timeout=WAIT_MS)
    assert v.info.clipped_high and v.info.highlights_clipped > 0.15
    assert abs(sum(v.info.hist[0]) - 1.0) < 1e-6
    # the clipping mark is painted: the histogram's right edge is red
    img = v.grab().toImage()
    info = v.geometry_rects()["info"]
    c = img.pixelColor(int(info.right()) - 2, int(info.center().y()))
    assert c.red() > 200 and c.green() < 100


def test_zoom_to_100_percent_keeps_the_point_under_the_cursor_and_loads_camera_pixels(qtbot, view):
    from PySide6.QtCore import QPointF

    v, _path = view
    v.set_overlay(_overlay("pass"))
    ir = v.photo_rect()
    at = QPointF(ir.left() + ir.width() * 0.3, ir.top() + ir.height() * 0.6)
    under = ((at.x() - ir.left()) / ir.width(), (at.y() - ir.top()) / ir.height())
    v.zoom_to(1.0, at)
    assert v.zoom == 1.0
    qtbot.waitUntil(lambda: v.full_resolution, timeout=WAIT_MS)
    assert v._full.width() == 1800  # one camera pixel per screen pixel
    # the photo point that was under the cursor is still under it
    vp = v.geometry_rects()["canvas"]
    px = vp.center().x() + (under[0] - v._center.x()) * 1800
    py = vp.center().y() + (under[1] - v._center.y()) * 2400
    assert abs(px - at.x()) < 1.5 and abs(py - at.y()) < 1.5
    before = QPointF(v._center)
    v.pan(100, 0)  # drag right: we look further left
    assert v._center.x() < before.x()
    v.toggle_zoom()
    assert v.zoom is None
    v.toggle_zoom(QPointF(-5, -5))  # Z with the cursor off the photo: around the eyes
    assert v.zoom == 1.0 and abs(v._center.x() - 0.5) < 0.01


def test_double_click_and_wheel_zoom(qtbot, view):
    from PySide6.QtCore import QPoint

    v, _path = view
    c = v.photo_rect().center().toPoint()
    qtbot.mouseDClick(v, Qt.MouseButton.LeftButton, pos=c)
    assert v.zoom == 1.0
    qtbot.mouseDClick(v, Qt.MouseButton.LeftButton, pos=c)
    assert v.zoom is None
    from PySide6.QtCore import QPointF
    from PySide6.QtGui import QWheelEvent
    from PySide6.QtWidgets import QApplication

    for _ in range(12):
        ev = QWheelEvent(QPointF(c), QPointF(v.mapToGlobal(c)), QPoint(0, 0), QPoint(0, 120),
                         Qt.MouseButton.NoButton, Qt.KeyboardModifier.NoModifier, Qt.ScrollPhase.NoScrollPhase, False)
        QApplication.sendEvent(v, ev)
    assert v.zoom == pytest.approx(2.0)


def test_compare_two_takes_side_by_side(qtbot, tmp_path, view):
    v, path = view
    other = _jpeg_with_exif(tmp_path / "other.jpg", clip=True)
    v.show_compare((other, _overlay("fail", FAIL_MARKS)), (path, _overlay("pass")))
    assert v.comparing
    qtbot.waitUntil(lambda: all(p.image is not None for p in v._compare), timeout=WAIT_MS)
    img = v.grab().toImage()
    canvas = v.geometry_rects()["canvas"]
    y = int(canvas.top() + canvas.height() * 0.1)
    left = img.pixelColor(int(canvas.left() + canvas.width() * 0.25), y)
    right = img.pixelColor(int(canvas.left() + canvas.width() * 0.75), y)
    assert left.lightness() > 240 and right.lightness() < 240  # the clipped take on the left, as shown
    v.zoom_to(1.0)
    qtbot.waitUntil(lambda: v.full_resolution, timeout=WAIT_MS)
    v.end_compare()
    assert not v.comparing and v.zoom is None


def test_live_frames_show_the_crop_frame_and_eye_line(qtbot, view):
    from PySide6.QtGui import QColor, QImage

    from ui.photo_paint import EYE_LINE_PX, CROP_H, guide_rect

    v, _path = view
    frame = QImage(640, 480, QImage.Format.Format_RGB32)
    frame.fill(QColor(40, 90, 140))
    v.set_live(frame)
    assert v.is_live and v.path is None
    img = v.grab().toImage()
    g = guide_rect(v.photo_rect())
    y = int(g.top() + g.height() * EYE_LINE_PX / CROP_H)
    hits = [img.pixelColor(x, yy) for x in range(int(g.left()) + 40, int(g.right()) - 40, 7) for yy in (y - 1, y, y + 1)]
    assert any(c.red() > 200 and c.green() > 180 and c.blue() < 80 for c in hits)  # the yellow eye line
    edge = img.pixelColor(int(g.left()), int(g.center().y()))
    assert edge.lightness() > 200  # the white crop frame


def test_the_right_hand_buttons_stay_put_when_the_current_group_wraps(qtbot, db, make_window):
    from datetime import datetime

    from app.throughput import Throughput

    win = make_window(db, camera=False)
    win.resize(1440, 900)
    qtbot.wait(50)

    def show(label):
        win.throughput.show_data(Throughput(datetime.now(), 5, 150.0, 150, 180, "ok", 9, 24.0, label, 40, 20, None))
        QApplication = __import__("PySide6.QtWidgets", fromlist=["QApplication"]).QApplication
        QApplication.processEvents()
        return [win.buttons[k].mapTo(win, win.buttons[k].rect().topLeft()).y() for k in win.buttons]

    short = show("文学院")
    long = show("信息工程学院 / 计算机科学与技术2301班")
    assert short == long


def test_a_reason_with_a_bracketed_aside_breaks_before_the_bracket_and_is_never_cut(qapp):
    """"请换白色上衣(外套请脱掉)" is one phrase without punctuation inside: at a chip's width it must go
    on two lines before the bracket, every line within the width (the chip showed "请换白色上衣(外套请")."""
    from PySide6.QtGui import QFont, QFontMetricsF

    from ui.photo_paint import fit_lines

    f = QFont()
    f.setPixelSize(30)
    for text in ("请换白色上衣(外套请脱掉)", "请换白色上衣（外套请脱掉）"):
        width = QFontMetricsF(f).horizontalAdvance(text) * 0.6
        font, lines = fit_lines(text, f, width)
        assert "".join(lines) == text
        assert len(lines) == 2 and lines[1][0] in "(（", lines
        assert all(QFontMetricsF(font).horizontalAdvance(x) <= width for x in lines), lines
