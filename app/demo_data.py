"""A realistic, entirely invented roster for the demo, the tests and the benchmarks.

``write_demo_roster(path, n=120, seed=0)`` writes one school's roster as the
centre's notice describes it (Bynd, xxmc, Zymc, Bjmc, Xh, Sfzh, Xm, Xb, Ksh,
plus a 学院 column): three colleges, two majors each, classes of about 30,
plausible Chinese names and genders, ID numbers with correct GB 11643 check
characters and the birth dates of this year's graduates, student and exam
numbers. A handful of rows are broken on purpose, the way real rosters break,
so the demo shows the roster report:

- an ID number with a wrong check character (error ``id_checksum``),
- an ID number stored as a number, its last digits lost (``id_stored_as_number``),
- a full-width digit in a student number (warning ``fullwidth``),
- a zero-width space hidden in a name (``hidden_chars``),
- a lower-case x check character (``lowercase_x``),
- a student number repeated on a later row for another student (``duplicate``).

``write_big_roster(path, n)`` writes a large roster the same way (about one
row in 200 broken) for the import benchmark. Every name and number is made up;
same seed, same file.
"""

from __future__ import annotations

import random
from datetime import date, timedelta
from pathlib import Path

from app.roster.idcard import check_char

SCHOOL = "江淮理工大学"
COLLEGES = (
    ("信息工程学院", (("计算机科学与技术", "计科"), ("软件工程", "软工"))),
    ("机械工程学院", (("机械设计制造及其自动化", "机制"), ("车辆工程", "车辆"))),
    ("经济管理学院", (("会计学", "会计"), ("市场营销", "营销"))),
)
HEADERS = ("Bynd", "xxmc", "Zymc", "Bjmc", "Xh", "Sfzh", "Xm", "Xb", "Ksh", "学院")

# Address codes of the first six digits (mostly Jiangsu, some from elsewhere).
AREAS = (
    "320102", "320106", "320115", "320205", "320282", "320311", "320411", "320506", "320583", "320602",
    "320703", "320812", "320902", "321002", "321102", "321202", "321302", "340104", "370102", "410105",
    "420106", "510107", "130104", "360102", "430104",
)  # fmt: skip
SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈"
    "姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤单"
)
COMPOUND_SURNAMES = ("欧阳", "司马", "上官", "诸葛")
MALE_CHARS = "伟强磊军洋勇杰涛斌浩宇鹏辉俊晨博文轩子豪泽睿天一明志建国海峰旭阳坤凯航宁昊然"
FEMALE_CHARS = "芳娜敏静丽艳婷雪琳欣怡佳悦雨萱思涵梦瑶晶颖倩慧玲璐诗月楠婉彤蕾琪妍菲雯"
CLASS_SIZE = 30


def graduation_year(today: date | None = None) -> int:
    today = today or date.today()
    return today.year if today.month <= 8 else today.year + 1


def _check_char(body17: str) -> str:
    return check_char(body17)


def _name(rng: random.Random, male: bool) -> str:
    surname = rng.choice(COMPOUND_SURNAMES) if rng.random() < 0.01 else rng.choice(SURNAMES)
    pool = MALE_CHARS if male else FEMALE_CHARS
    given = rng.choice(pool) + (rng.choice(pool) if rng.random() < 0.7 else "")
    return surname + given


def students(n: int, seed: int = 0, year: int | None = None) -> list[list[str]]:
    """n correct roster rows (as text), grouped by college, major and class."""
    rng = random.Random(seed)
    year = year or graduation_year()
    entry = year - 4
    rows: list[list[str]] = []
    majors = [(ci, college, mi, major, short) for ci, (college, ms) in enumerate(COLLEGES) for mi, (major, short) in enumerate(ms)]
    per_major = [n // len(majors) + (1 if k < n % len(majors) else 0) for k in range(len(majors))]
    used_ids: set[str] = set()
    for (ci, college, mi, major, short), count in zip(majors, per_major):
        classes = max(1, round(count / CLASS_SIZE))
        cls, seq = 1, 0
        for k in range(count):
            c = k * classes // count + 1
            seq = seq + 1 if c == cls else 1
            cls = c
            class_name = f"{short}{entry % 100:02d}{cls:02d}班"
            male = rng.random() < (0.62 if ci < 2 else 0.35)
            born = date(entry - 18, 9, 1) - timedelta(days=rng.randrange(0, 730))
            while True:
                area = rng.choice(AREAS)
                order = rng.randrange(0, 500) * 2 + (1 if male else 0)
                body = f"{area}{born:%Y%m%d}{order:03d}"
                if body not in used_ids:
                    used_ids.add(body)
                    break
            sfzh = body + _check_char(body)
            xh = f"{entry}{ci + 1:02d}{mi + 1:02d}{cls:02d}{seq:03d}"
            ksh = f"{entry % 100:02d}{area[:4]}{rng.randrange(10**7, 10**8)}"
            rows.append([str(year), SCHOOL, major, class_name, xh, sfzh, _name(rng, male), "男" if male else "女", ksh, college])
    return rows


def _break(rows: list[list], positions: list[int]) -> None:
    """Break the rows at these positions, one way each (see the module docstring)."""
    kinds = ("checksum", "number", "fullwidth", "zero_width", "lowercase_x", "duplicate")
    for kind, p in zip(kinds, positions):
        r = rows[p]
        if kind == "checksum":
            last = r[5][-1]
            r[5] = r[5][:-1] + ("0" if last != "0" else "1")
        elif kind == "number":
            r[5] = float(r[5][:15] + "000")  # Excel keeps 15 significant digits
        elif kind == "fullwidth":
            d = r[4][-1]
            r[4] = r[4][:-1] + chr(ord(d) + 0xFEE0)
        elif kind == "zero_width":
            r[6] = r[6][0] + "\u200b" + r[6][1:]
        elif kind == "lowercase_x":
            body = r[5][:17]
            # Find a nearby sequence number whose check character is X, keep the gender digit's parity.
            for step in range(0, 1000, 2):
                order = (int(body[14:17]) + step) % 1000
                cand = body[:14] + f"{order:03d}"
                if _check_char(cand) == "X":
                    r[5] = cand + "x"
                    break
        elif kind == "duplicate":
            r[4] = rows[max(0, p - 3)][4]


def _save(path: Path, rows: list[list], *, write_only: bool) -> Path:
    from openpyxl import Workbook

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    wb = Workbook(write_only=write_only)
    ws = wb.create_sheet("学生名单") if write_only else wb.active
    if not write_only:
        ws.title = "学生名单"
    ws.append(list(HEADERS))
    if write_only:
        for r in rows:
            ws.append(r)
    else:
        for r in rows:
            ws.append(r)
        # Text format, as the notice asks: the broken numeric cell stays a number.
        for row in ws.iter_rows(min_row=2):
            for c in row:
                if isinstance(c.value, str):
                    c.number_format = "@"
        for col, width in zip("ABCDEFGHIJ", (8, 16, 24, 12, 14, 22, 10, 6, 18, 16)):
            ws.column_dimensions[col].width = width
    wb.save(path)
    return path


def write_demo_roster(path: Path, n: int = 120, seed: int = 0) -> Path:
    """Write the demo roster (xlsx) with a handful of deliberately broken rows."""
    rows = students(n, seed)
    if n >= 14:
        positions = sorted({int(n * k / 7) for k in range(1, 7)})
        _break(rows, positions)
    return _save(Path(path), rows, write_only=False)


def write_big_roster(path: Path, n: int, seed: int = 1) -> Path:
    """A large roster for benchmarks: about one row in 200 broken."""
    rows = students(n, seed)
    rng = random.Random(seed + 1)
    positions = sorted(rng.sample(range(3, n), k=min(n - 3, max(6, n // 200))))
    for k in range(0, len(positions), 6):
        _break(rows, positions[k : k + 6])
    return _save(Path(path), rows, write_only=True)
