"""The marshal tests' made-up roster (from bench/support/roster_data.py, shared with the benchmarks) and the
marshal window opened on it."""

from __future__ import annotations

from app import settings
from bench.support.roster_data import SURNAMES, id_number, make_roster, photograph, station

__all__ = ["SURNAMES", "id_number", "make_roster", "open_marshal_window", "photograph", "station"]


def open_marshal_window(qtbot, db, classes, *, photographed: int, seed: int):
    """The marshal window on ``db`` with ``classes`` as the roster and its first ``photographed`` students
    photographed on station 1, shown and read once; the caller calls ``shutdown()``."""
    from ui.marshal_window import MarshalWindow

    with db.session() as s:
        st = station(s)
        for x in make_roster(s, classes, seed=seed)[:photographed]:
            photograph(s, x, st)
        settings.set_(s, "phone.port", 0)
        s.commit()
    win = MarshalWindow(db)
    qtbot.addWidget(win)
    win.show()
    qtbot.waitUntil(lambda: win.view is not None, timeout=5000)
    return win
