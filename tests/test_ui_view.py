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
