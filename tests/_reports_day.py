"""A realistic shooting day for the report, export, merge and audit tests.

Built row by row through the models (the way the workflow and the marshal
write them), with real JPEG files made from the package-shipped portraits.
The numbers the tests expect are written out here by hand from the story
below, not computed by the code under test.

扬州大学, 2019-03-16, stations 机位1 (local) and 机位2:

- 信息工程学院 / 计算机1901: 26 roster students X1901001..026 plus one student
  added at the camera (X1901999, unlisted). Morning on 机位1 from 08:34, one
  every 4 minutes. 001..022 selected; 003, 007, 012 have a failed first shot
  and a retake; 005 was accepted despite a failed check (override reason);
  023 absent 请假, 024 absent 实习 ("在苏州实习"); 025 has one failed shot and
  no selection; 026 never came; 999 selected at 11:50. 010 has a roster error
  (bad ID check digit); 015 reported "wrong ID" with the correct number; 016
  reported "wrong name".
- 文学院 / 汉语言1901: 12 students H1901001..012, morning on 机位2 from 09:05,
  one every 5 minutes: 001..010 selected; 011 absent 补拍; 012 marked absent
  at 09:10 and cleared at 11:00 (turned up) but never photographed.
  H1901004's only photo is not a portrait (no crop: not exportable).
- 信息工程学院 / 软件1901: 15 students R1901001..015, afternoon on 机位2 from
  13:33, one every 3 minutes, all selected; 002 has a retake.
- 医学院 / 临床1901: 8 students, nobody photographed that day.

Sign sheets (groups of ten in student-number order, roster students only, as
the marshal prints them): 计算机1901 group 1 signed 10 (matches), group 3
(021..026) signed 3 while the station has 2 (021, 022) — the unlisted student
999 signed on that sheet —, 汉语言1901 whole class signed 10 (matches).
"""

from __future__ import annotations

import hashlib
import io
import json
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from pathlib import Path

import numpy as np

from app.models import (
    Absence,
    DataIssue,
    MajorCollege,
    RosterFinding,
    RosterImport,
    Selection,
    Shot,
    SignSheetCount,
    Station,
    Student,
)

DAY = date(2019, 3, 16)
SCHOOL = "扬州大学"
WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)

# what the tests expect, by hand from the story above
# X1901025 was photographed but no photo accepted: 已拍未确认 (pending), never 未到 (issue 11)
MORNING = dict(roster=39, photographed=33, photographed_in_period=33, not_photographed=6, absent=3, unexplained=2,
               retakes=3, overrides=1, data_problems=4, pending=1, no_id_card=0)
AFTERNOON = dict(roster=15, photographed=15, photographed_in_period=15, not_photographed=0, absent=0, unexplained=0,
                 retakes=1, overrides=0, data_problems=0, pending=0, no_id_card=0)
MORNING_MISSING = {
    "X1901023": "请假",
    "X1901024": "实习: 在苏州实习",
    "X1901025": "已拍未确认",
    "X1901026": "未到",
    "H1901011": "补拍",
    "H1901012": "未到",
}


def id_number(seed: int, region: str = "321002", birth: str = "20000101") -> str:
    body = f"{region}{birth}{seed % 1000:03d}"
    return body + "10X98765432"[sum(int(c) * w for c, w in zip(body, WEIGHTS)) % 11]


def at(hh: int, mm: int, ss: int = 0) -> datetime:
    return datetime.combine(DAY, time(hh, mm, ss))


@dataclass
class Photos:
    """Real JPEGs: the astronaut (passes), Grace Hopper (fails QC), a coffee cup (no face)."""

    folder: Path
    reports: dict[str, str]  # kind -> qc_json with the real checker's crop
    n: int = 0

    def write(self, kind: str, station: int) -> tuple[Path, str, int]:
        from PIL import Image
        from skimage import data

        if kind == "astronaut":
            arr = data.astronaut().copy()
        elif kind == "hopper":
            import matplotlib.cbook as cbook

            arr = np.asarray(Image.open(cbook.get_sample_data("grace_hopper.jpg", asfileobj=False)).convert("RGB")).copy()
        else:
            arr = data.coffee().copy()
        self.n += 1
        # a slight change of brightness makes every delivery image distinct too
        arr = np.clip(arr.astype(np.int16) + (self.n % 9) - 4, 0, 255).astype(np.uint8)
        # a few pixels in a corner (outside any crop) make every file distinct
        arr[:8, :96] = np.repeat(np.array([(self.n >> b & 1) * 255 for b in range(24)], np.uint8), 4)[None, :, None]
        path = self.folder / f"station{station}" / f"IMG_{self.n:04d}.jpg"
        path.parent.mkdir(parents=True, exist_ok=True)
        buf = io.BytesIO()
        Image.fromarray(arr).save(buf, "JPEG", quality=92)
        path.write_bytes(buf.getvalue())
        return path, hashlib.sha256(buf.getvalue()).hexdigest(), len(buf.getvalue())


@dataclass
class Day:
    students: dict[str, Student] = field(default_factory=dict)
    stations: dict[int, Station] = field(default_factory=dict)


def qc_reports() -> dict[str, str]:
    """QC reports (with the standard crop) from the real checker, computed once per test session.

    The verdict stored on each shot is set by the story (astronaut: pass,
    Hopper: fail) so the expected counts do not move when the checks are tuned.
    """
    global _REPORTS
    if _REPORTS is None:
        import matplotlib.cbook as cbook
        from PIL import Image
        from skimage import data

        from qc.checker import Checker

        checker = Checker()
        astro = checker.check_image(data.astronaut()).to_dict()
        hopper = checker.check_image(np.asarray(Image.open(cbook.get_sample_data("grace_hopper.jpg", asfileobj=False)).convert("RGB"))).to_dict()
        _REPORTS = {"astronaut": json.dumps(astro), "hopper": json.dumps(hopper)}
    return _REPORTS


_REPORTS: dict[str, str] | None = None


def build_day(session, photo_dir: Path, *, station_uids: tuple[str, str] | None = None) -> Day:
    reports = qc_reports()
    photos = Photos(photo_dir, reports)
    day = Day()
    s1 = Station(number=1, name="机位1", is_local=True)
    s2 = Station(number=2, name="机位2", is_local=False)
    if station_uids:
        s1.uid, s2.uid = station_uids
    session.add_all([s1, s2])
    imp = RosterImport(file_name="roster.xlsx", file_sha256="0" * 64, rows_read=61, imported=61)
    session.add(imp)
    session.flush()
    day.stations = {1: s1, 2: s2}
    session.add_all(
        [
            MajorCollege(major="计算机科学与技术", college="信息工程学院"),
            MajorCollege(major="软件工程", college="信息工程学院"),
        ]
    )

    order = [0]

    def student(no: str, name: str, major: str, klass: str, college: str | None, seed: int, **kw) -> Student:
        order[0] += 1
        st = Student(
            grad_year="2019", school=SCHOOL, major=major, class_name=klass, student_no=no,
            id_number=kw.pop("id_number", id_number(seed)), name=name, gender="男" if seed % 2 else "女",
            exam_no=f"19321002{seed:06d}", college=college, roster_order=order[0], roster_row=order[0] + 1,
            import_id=imp.id, **kw,
        )
        session.add(st)
        day.students[no] = st
        return st

    surnames = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许"
    for i in range(1, 27):
        # college left empty: resolved through the major → college table
        student(f"X1901{i:03d}", f"{surnames[i - 1]}计{i}", "计算机科学与技术", "计算机1901", None, 100 + i)
    for i in range(1, 13):
        student(f"H1901{i:03d}", f"{surnames[i]}文{i}", "汉语言文学", "汉语言1901", "文学院", 200 + i)
    for i in range(1, 16):
        student(f"R1901{i:03d}", f"{surnames[i + 3]}软{i}", "软件工程", "软件1901", "信息工程学院", 300 + i)
    for i in range(1, 9):
        student(f"L1901{i:03d}", f"{surnames[i + 5]}医{i}", "临床医学", "临床1901", "医学院", 400 + i)
    bad = day.students["X1901010"]
    bad.id_number = bad.id_number[:-1] + ("0" if bad.id_number[-1] != "0" else "1")  # wrong check digit
    bad.has_error = True
    unlisted = student("X1901999", "名单外", "计算机科学与技术", "计算机1901", "信息工程学院", 999, unlisted=True)
    session.flush()
    session.add(
        RosterFinding(
            import_id=imp.id, student_id=bad.id, row=bad.roster_row, field="Sfzh", code="id_checksum",
            severity="error", message="身份证号校验位错误", original=bad.id_number,
        )
    )

    def shoot(st: Student, station: Station, t: datetime, kind: str = "astronaut", *, select: bool = True,
              override: str | None = None, verdict: str | None = None) -> Shot:
        path, sha, size = photos.write(kind, station.number)
        qc = reports.get(kind)
        shot = Shot(
            student_id=st.id, station_id=station.id, path=str(path), sha256=sha, bytes=size,
            taken_at=t, qc_verdict=verdict or {"astronaut": "pass", "hopper": "fail"}.get(kind), qc_json=qc,
            status="accepted" if select else "retake", override_reason=override,
        )
        session.add(shot)
        session.flush()
        if select:
            session.add(Selection(student_id=st.id, shot_id=shot.id, station_id=station.id,
                                  selected_at=t + timedelta(seconds=20), override_reason=override))
        return shot

    # morning, 机位1: 计算机1901
    for i in range(1, 23):
        st = day.students[f"X1901{i:03d}"]
        t = at(8, 30) + timedelta(minutes=4 * i)
        if i in (3, 7, 12):
            shoot(st, s1, t - timedelta(seconds=40), "hopper", select=False)
        if i == 5:
            shoot(st, s1, t, "hopper", override="复核: 背景反光, 不影响使用")
        else:
            shoot(st, s1, t)
    shoot(day.students["X1901025"], s1, at(10, 10), "hopper", select=False)
    shoot(unlisted, s1, at(11, 50))
    session.add_all(
        [
            Absence(student_id=day.students["X1901023"].id, station_id=s1.id, reason="leave", marked_at=at(9, 0)),
            Absence(student_id=day.students["X1901024"].id, station_id=s1.id, reason="internship",
                    text="在苏州实习", marked_at=at(9, 5)),
        ]
    )
    # morning, 机位2: 汉语言1901
    for i in range(1, 11):
        st = day.students[f"H1901{i:03d}"]
        t = at(9, 0) + timedelta(minutes=5 * i)
        if i == 4:
            # not a portrait and never checked: the export must run the checker, find no face, refuse
            shot = shoot(st, s2, t, "coffee")
            shot.qc_json, shot.qc_verdict = None, None
        else:
            shoot(st, s2, t)
    session.add_all(
        [
            Absence(student_id=day.students["H1901011"].id, station_id=s2.id, reason="makeup", marked_at=at(9, 8)),
            Absence(student_id=day.students["H1901012"].id, station_id=s2.id, reason="leave", marked_at=at(9, 10),
                    cleared_at=at(11, 0)),
        ]
    )
    # afternoon, 机位2: 软件1901
    for i in range(1, 16):
        st = day.students[f"R1901{i:03d}"]
        t = at(13, 30) + timedelta(minutes=3 * i)
        if i == 2:
            shoot(st, s2, t - timedelta(seconds=30), "hopper", select=False)
        shoot(st, s2, t)

    # data problems reported at the camera
    x15, x16 = day.students["X1901015"], day.students["X1901016"]
    session.add_all(
        [
            DataIssue(student_id=x15.id, station_id=s1.id, field="Sfzh", kind="id_wrong",
                      original_value=x15.id_number, correct_value=id_number(515), source="camera",
                      reported_at=at(9, 30)),
            DataIssue(student_id=x16.id, station_id=s1.id, field="Xm", kind="name_wrong",
                      original_value=x16.name, correct_value="王晓明", source="camera", reported_at=at(9, 34)),
            DataIssue(student_id=unlisted.id, station_id=s1.id, kind="other", source="unlisted",
                      note="名单中没有, 学生证核实", reported_at=at(11, 49)),
        ]
    )
    session.add_all(
        [
            SignSheetCount(day=DAY.isoformat(), college="信息工程学院", class_name="计算机1901", group_no=1, signed_count=10),
            SignSheetCount(day=DAY.isoformat(), college="信息工程学院", class_name="计算机1901", group_no=3, signed_count=3),
            SignSheetCount(day=DAY.isoformat(), college="文学院", class_name="汉语言1901", group_no=0, signed_count=10),
        ]
    )
    session.commit()
    return day


# --- fixtures shared by the report tests (import them into the test module) ------------

import pytest  # noqa: E402


@pytest.fixture
def day(db, tmp_path) -> Day:
    """The day above in the test database, photos under tmp_path/photos."""
    with db.session() as s:
        d = build_day(s, tmp_path / "photos")
    return d


def sheet_rows(ws, header: str) -> tuple[list, list[list]]:
    """(header row, data rows) of a report sheet: the rows under the row whose first cell is ``header``."""
    rows = [list(r) for r in ws.iter_rows(values_only=True)]
    for i, r in enumerate(rows):
        if r and r[0] == header:
            data = [x for x in rows[i + 1 :] if any(v is not None for v in x)]
            return r, data
    raise AssertionError(f"no header {header!r} in {ws.title}")
