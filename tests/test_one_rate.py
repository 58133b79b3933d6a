"""One 人/小时: the photographer's window, the marshal's window, the re-plan and the
reconciliation give the same figure for the same station (they gave 60, 48 and 108)."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from app import throughput
from app.period import Period
from app.timetable.store import measured_rates
from app.reports import reconcile
from tests.marshal_data import make_roster, photograph, station


def test_every_window_and_report_shows_the_same_rate(db):
    now = datetime(2026, 5, 15, 10, 30)
    with db.session() as s:
        st = station(s, 1)
        students = make_roster(s, [("文学院", "汉语言1班", 60)])
        # 40 minutes before now: 12 students 25-35 s apart, a 20-minute break, then 20 more every 30 s
        t = now - timedelta(minutes=40)
        times = []
        for i in range(12):
            t += timedelta(seconds=25 + (i % 3) * 5)
            times.append(t)
        t += timedelta(minutes=20)
        for _ in range(20):
            t += timedelta(seconds=30)
            times.append(t)
        assert times[-1] <= now
        for x, when in zip(students, times):
            photograph(s, x, st, when)
        s.commit()
        window = throughput.snapshot(s, station_id=st.id, at=now)
        marshal_rate = measured_rates(s, now)[1].rate
        rec = reconcile.build(s, Period(now - timedelta(hours=2), now + timedelta(seconds=1), "今天", "today"))
        from app.marshal_service import compute_view

        marshal_view = compute_view(s, st.id, at=now)
    gaps = [(b - a).total_seconds() for a, b in zip(times, times[1:]) if b - a <= throughput.BREAK]
    expected = 3600 * len(gaps) / sum(gaps)
    assert window.rate == pytest.approx(expected)
    assert window.rate == pytest.approx(3600 / window.avg_seconds)  # "N 人/小时" and "平均每人 M 秒" agree
    assert marshal_rate == pytest.approx(expected)
    assert marshal_view.rate == pytest.approx(expected)
    (line,) = rec.stations
    assert line.rate == pytest.approx(expected, abs=0.05)
    # the break is left out: counting it would give far fewer
    assert expected > 100 and len(times) / ((times[-1] - times[0]).total_seconds() / 3600) < 80
