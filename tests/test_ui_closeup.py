"""The window's close-up of unsure checks (issue 12, item 5): shown beside the photo, answered with one key.

Real parts: the photographer's window on the demo roster, libgphoto2's virtual camera serving Grace
Hopper's portrait (her glasses fail ``glasses``) or the astronaut in a white suit (nothing unsure).
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from sqlalchemy import select

from app.models import QcReview
from tests.test_ui_window import WAIT_MS, key, scan, students, wait_state


@pytest.fixture
def roster_db(import_demo_roster):
    return import_demo_roster(n=10, seed=5)[0]


def test_an_unsure_check_shows_ears_and_brows_enlarged_and_one_key_answers(qtbot, make_window, roster_db,
                                                                          tmp_path):
    win = make_window(roster_db, portrait="fail", wait_qc=True, timeout_ms=WAIT_MS)
    (a, ida, *_), _ = students(roster_db, 2)
    scan(qtbot, win, ida)
    wait_state(qtbot, win, "student")
    key(qtbot, win, Qt.Key.Key_Space)
    wait_state(qtbot, win, "verdict")
    panel = win.closeup
    qtbot.waitUntil(lambda: panel.isVisible(), timeout=WAIT_MS)
    assert "眼镜" in panel.title.text() and "F11" in panel.keys.text() and "F12" in panel.keys.text()
    for label in ("brows", "left_ear", "right_ear"):
        pm = panel.images[label].pixmap()
        assert pm is not None and not pm.isNull()
    # enlarged: the brow line is shown wider beside the photo than it is in the photo view
    from PIL import Image

    full_w, full_h = Image.open(win.shot.path).size
    pv = win.photo.size()
    in_view = panel.view.crops["brows"].shape[1] * min(pv.width() / full_w, pv.height() / full_h)
    assert panel.images["brows"].pixmap().width() > 1.3 * in_view
    win.resize(1440, 900)
    shots = Path(os.environ.get("STATION_SCREENSHOTS") or tmp_path)
    shots.mkdir(parents=True, exist_ok=True)
    assert win.grab().save(str(shots / "window_closeup.png"))

    key(qtbot, win, Qt.Key.Key_F12)  # the photographer sees no glasses problem: overrule
    qtbot.waitUntil(lambda: panel.decision == "overrule", timeout=WAIT_MS)
    assert "推翻" in panel.answer.text()
    key(qtbot, win, Qt.Key.Key_F11)  # changes their mind: confirm replaces it
    qtbot.waitUntil(lambda: panel.decision == "confirm", timeout=WAIT_MS)
    with roster_db.session() as s:
        rows = s.scalars(select(QcReview)).all()
        assert [(r.shot_id, r.check_name, r.decision) for r in rows] == [(win.shot.id, "glasses", "confirm")]
    key(qtbot, win, Qt.Key.Key_R)  # a retake: the close-up goes with the old shot
    wait_state(qtbot, win, "student")
    assert not panel.isVisible()


def test_nothing_unsure_no_closeup_and_the_keys_do_nothing(qtbot, make_window, roster_db):
    win = make_window(roster_db, portrait="pass", wait_qc=True, timeout_ms=WAIT_MS)
    (a, ida, *_), _ = students(roster_db, 2)
    scan(qtbot, win, ida)
    wait_state(qtbot, win, "student")
    key(qtbot, win, Qt.Key.Key_Space)
    wait_state(qtbot, win, "verdict")
    unsure = [c for c in win.shot.checks if c.name in ("ears_visible", "eyebrows_visible", "glasses", "jewelry")
              and c.verdict in ("warn", "fail")]
    if unsure:
        pytest.skip(f"the demo portrait is unsure on {unsure}")
    qtbot.wait(300)
    assert not win.closeup.isVisible()
    key(qtbot, win, Qt.Key.Key_F12)
    qtbot.wait(200)
    with roster_db.session() as s:
        assert s.scalars(select(QcReview)).all() == []
