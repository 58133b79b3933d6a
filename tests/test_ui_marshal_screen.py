"""The marshal window on a second screen: keys that never mean something else at the camera,
letters for 2 m, the group's counts in words (not cut by the bar's fill), and which stations
and database the counts come from."""

from __future__ import annotations

from PySide6.QtGui import QKeySequence, QShortcut

from app.models import Station
from tests.marshal_data import make_roster, photograph, station


def _keys_of(widget) -> set[str]:
    out = {QKeySequence(sc.key()).toString() for sc in widget.findChildren(QShortcut)}
    out |= {a.shortcut().toString() for a in widget.findChildren(__import__("PySide6.QtGui", fromlist=["QAction"]).QAction)
            if not a.shortcut().isEmpty()}
    return out - {""}


def test_marshal_keys_never_clash_with_the_photographers(qtbot, db, make_window):
    from ui.main_window import LIVE_KEYS
    from ui.marshal_window import MARSHAL_KEYS, MarshalWindow

    win = make_window(db, camera=False)
    photographer = _keys_of(win) | {"Space", "Return", "Enter", "R", "Z", "C", "+", "-", "=", "Esc", "Up", "Down",
                                    "Left", "Right"}
    assert {"F2", "F3", "F4"} <= photographer
    m = MarshalWindow(db)
    qtbot.addWidget(m)
    try:
        marshal_keys = _keys_of(m)
        assert set(MARSHAL_KEYS.values()) <= marshal_keys
        assert not marshal_keys & photographer, marshal_keys & photographer
        assert "F8" in m.call_button.text() and "F9" in m.absent_button.text() and "F10" in m.present_button.text()
    finally:
        m.shutdown()
    assert all(k in LIVE_KEYS for k in ("ready", "verdict"))


def test_second_screen_letters_progress_in_words_and_the_sources(qtbot, db):
    from ui.marshal_window import MarshalWindow

    with db.session() as s:
        mine = station(s, 1)
        other = Station(number=2, name="机位2", is_local=False)
        s.add(other)
        s.flush()
        students = make_roster(s, [("文学院", "汉语言1班", 23), ("理学院", "数学1班", 12)], seed=7)
        for x in students[:5]:
            photograph(s, x, mine)
        for x in students[23:26]:
            photograph(s, x, other)
        s.commit()
    m = MarshalWindow(db)
    qtbot.addWidget(m)
    m.show()
    try:
        qtbot.waitUntil(lambda: m.view is not None, timeout=5000)
        m.call_next()
        qtbot.waitUntil(lambda: m.view.snap.current is not None and not m.view.snap.current.auto, timeout=5000)
        # the counts are a label beside the bar, never text painted over its fill
        assert not m.progress.isTextVisible()
        assert "已拍" in m.progress_text.text() and "/" in m.progress_text.text()
        # letters for two metres
        assert m.totals.font().pixelSize() >= 30
        assert m.students.font().pixelSize() >= 20 and m.tree.font().pixelSize() >= 20
        # which stations, from which database
        text = m.sources.text()
        assert str(db.url).split(":///")[-1] in text
        assert "机位1 (本机) 已拍 5 人" in text and "机位2 已拍 3 人" in text
        assert "station merge" in text
    finally:
        m.shutdown()
