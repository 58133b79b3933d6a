"""签字人数 in the marshal window: a table per group, saved through the same rules as `station report signed`."""

from __future__ import annotations

from datetime import date

import pytest

pytest.importorskip("PySide6")

from sqlalchemy import select  # noqa: E402

from app.models import SignSheetCount  # noqa: E402
from tests.marshal_data import open_marshal_window  # noqa: E402

DAY = date(2019, 3, 16)


@pytest.fixture
def marshal_win(qtbot, db):
    win = open_marshal_window(qtbot, db, [("文学院", "汉语言1班", 23), ("理学院", "数学1班", 12)], photographed=10, seed=3)
    yield win
    win.shutdown()


def test_signed_counts_table_per_group_from_the_marshal_window(marshal_win, qtbot, db, tmp_path):
    from ui.signed_counts import SIGNED, SignedCountsDialog

    assert marshal_win.signed_button.text() == "录入签字人数…"
    marshal_win.signed_button.click()
    dlg: SignedCountsDialog = marshal_win.signed_dialog
    qtbot.waitUntil(lambda: not dlg.busy and dlg.table.rowCount() == 3, timeout=5000)  # 10 + 13, and 12
    dlg.day.setDate(dlg.day.date().fromString(DAY.isoformat(), "yyyy-MM-dd"))
    qtbot.waitUntil(lambda: not dlg.busy, timeout=5000)
    rows = [[dlg.table.item(i, j).text() for j in range(5)] for i in range(dlg.table.rowCount())]
    assert rows == [["文学院", "汉语言1班", "1", "10", "10"], ["文学院", "汉语言1班", "2", "13", "0"],
                    ["理学院", "数学1班", "1", "12", "0"]]
    dlg.table.item(0, SIGNED).setText("9")  # one fewer signature than photos: shown as a difference
    assert dlg.table.item(0, 6).text() == "+1"
    dlg.table.item(1, SIGNED).setText("14")  # more than the sheet holds: refused by the domain rule
    dlg.save()
    qtbot.waitUntil(lambda: not dlg.busy, timeout=5000)
    assert "13" in dlg.status.text() or "只有" in dlg.status.text()
    with db.session() as s:
        assert s.scalars(select(SignSheetCount)).all() == []  # nothing half-saved
    dlg.table.item(1, SIGNED).setText("")
    dlg.save()
    qtbot.waitUntil(lambda: not dlg.busy and "已保存" in dlg.status.text(), timeout=5000)
    with db.session() as s:
        (row,) = s.scalars(select(SignSheetCount)).all()
        assert (row.day, row.college, row.class_name, row.group_no, row.signed_count) == ("2019-03-16", "文学院", "汉语言1班", 1, 9)
    # emptied again: the count goes
    qtbot.waitUntil(lambda: not dlg.busy and dlg.table.item(0, SIGNED).text() == "9", timeout=5000)
    dlg.table.item(0, SIGNED).setText("")
    dlg.save()
    qtbot.waitUntil(lambda: not dlg.busy and "已保存" in dlg.status.text(), timeout=5000)
    with db.session() as s:
        assert s.scalars(select(SignSheetCount)).all() == []
