"""A made-up roster and its shots for the marshal, timetable, sign-in sheet and phone-page benchmarks and tests.

Shared by ``bench/`` and ``tests/`` (the tests import it from here; bench never imports tests/).

Names and ID numbers are made up (random surname + given name, ID numbers
with a valid check digit): never real people.
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from app.models import Selection, Shot, Station, Student

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾萧田董潘袁蔡蒋余于杜叶程"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰志红鹏飞斌宇浩凯晨轩怡欣雨婷佳琪子涵思源"

_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]


def id_number(rng: random.Random) -> str:
    """An 18-character ID number with a valid GB 11643 check character (made up)."""
    birth = datetime(1996, 1, 1) + timedelta(days=rng.randrange(0, 3 * 365))
    body = "321002" + birth.strftime("%Y%m%d") + f"{rng.randrange(0, 1000):03d}"
    check = "10X98765432"[sum(int(d) * w for d, w in zip(body, _WEIGHTS)) % 11]
    return body + check


def make_roster(
    session,
    classes: list[tuple[str, str, int]],
    *,
    seed: int = 0,
    school: str = "扬州大学",
    shuffle_numbers: bool = False,
) -> list[Student]:
    """Students for (college, class, count) triples, in roster order.

    With ``shuffle_numbers`` the roster order is not the student-number order
    (real rosters are often sorted by name or by dormitory).
    """
    rng = random.Random(seed)
    out: list[Student] = []
    order = 0
    for ci, (college, class_name, n) in enumerate(classes):
        numbers = [f"19{ci + 1:03d}{k + 1:03d}" for k in range(n)]
        if shuffle_numbers:
            rng.shuffle(numbers)
        for sno in numbers:
            order += 1
            name = rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2, 2))))
            idn = id_number(rng)
            s = Student(
                grad_year="2019",
                school=school,
                major=class_name.rstrip("0123456789班") or class_name,
                class_name=class_name,
                student_no=sno,
                id_number=idn,
                id_number18=idn,
                id_last6=idn[-6:],
                name=name,
                gender=rng.choice("男女"),
                exam_no=f"19320{order:09d}",
                college=college,
                roster_row=order + 1,
                roster_order=order,
            )
            session.add(s)
            out.append(s)
    session.flush()
    return out


def station(session, number: int = 1, *, local: bool = True) -> Station:
    st = Station(number=number, name=f"机位{number}", is_local=local)
    session.add(st)
    session.flush()
    return st


def photograph(session, student: Student, st: Station, at: datetime | None = None) -> Selection:
    """What the workflow records when a shot is accepted: a durable Shot and its Selection."""
    at = at or datetime.now().replace(microsecond=0)
    shot = Shot(
        student_id=student.id,
        station_id=st.id,
        path=f"/captures/{student.student_no}_1.jpg",
        sha256=f"{student.id:064x}",
        bytes=1_000_000,
        taken_at=at,
        qc_verdict="pass",
        status="accepted",
        decided_at=at,
    )
    session.add(shot)
    session.flush()
    sel = Selection(student_id=student.id, shot_id=shot.id, station_id=st.id, selected_at=at)
    session.add(sel)
    session.flush()
    return sel
