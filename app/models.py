"""The station database: one SQLAlchemy 2 model per thing the station keeps.

Portable SQL only (SQLite by default, PostgreSQL for a site): no SQLite-only
types or statements here. Times are the station's local wall-clock time, naive,
because every report of the day is read against the site's clock (morning until
12:30, ...). Rows that travel between stations when their databases are merged
carry a ``uid`` (uuid4 hex) so a merge can recognise a row it has already seen.

Schema changes go through an Alembic migration in ``app/migrations/versions``.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import (
    Boolean,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship


def new_uid() -> str:
    return uuid.uuid4().hex


def now() -> datetime:
    """Local wall-clock time with whole milliseconds (portable across databases)."""
    t = datetime.now()
    return t.replace(microsecond=(t.microsecond // 1000) * 1000)


class Base(DeclarativeBase):
    pass


# --- the station and its shooting sessions ---------------------------------


class Station(Base):
    """A station (one laptop and camera). A merged site database holds several."""

    __tablename__ = "stations"

    id: Mapped[int] = mapped_column(primary_key=True)
    uid: Mapped[str] = mapped_column(String(32), unique=True, default=new_uid)
    number: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(String(100))
    is_local: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=now)


class ShootingSession(Base):
    """A stretch of shooting on one station (typically a half day)."""

    __tablename__ = "sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    uid: Mapped[str] = mapped_column(String(32), unique=True, default=new_uid)
    station_id: Mapped[int] = mapped_column(ForeignKey("stations.id"))
    started_at: Mapped[datetime] = mapped_column(DateTime, default=now)
    ended_at: Mapped[datetime | None] = mapped_column(DateTime)
    operator: Mapped[str | None] = mapped_column(String(100))
    note: Mapped[str | None] = mapped_column(Text)

    station: Mapped[Station] = relationship()


# --- the roster --------------------------------------------------------------


class RosterImport(Base):
    """One roster file read into the station (also kept in the audit log)."""

    __tablename__ = "roster_imports"

    id: Mapped[int] = mapped_column(primary_key=True)
    file_name: Mapped[str] = mapped_column(String(500))
    file_sha256: Mapped[str] = mapped_column(String(64))
    imported_at: Mapped[datetime] = mapped_column(DateTime, default=now)
    sheet: Mapped[str | None] = mapped_column(String(200))
    rows_read: Mapped[int] = mapped_column(Integer, default=0)
    imported: Mapped[int] = mapped_column(Integer, default=0)
    updated: Mapped[int] = mapped_column(Integer, default=0)
    flagged: Mapped[int] = mapped_column(Integer, default=0)
    warnings: Mapped[int] = mapped_column(Integer, default=0)


class Student(Base):
    """A roster row: the nine fields of attachment 2, an optional college, and flags.

    Field values are stored exactly as cleaned by the import (text, never
    numbers). ``id_number18`` is the 18-character form of a legacy 15-digit
    ID number (derived), ``name_initials`` the pinyin initials for search.
    """

    __tablename__ = "students"
    __table_args__ = (
        Index("ix_students_student_no", "student_no"),
        Index("ix_students_id_number", "id_number"),
        Index("ix_students_id_last6", "id_last6"),
        Index("ix_students_exam_no", "exam_no"),
        Index("ix_students_name", "name"),
        Index("ix_students_name_initials", "name_initials"),
        Index("ix_students_college_class", "college", "class_name"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    uid: Mapped[str] = mapped_column(String(32), unique=True, default=new_uid)
    grad_year: Mapped[str] = mapped_column(String(20), default="")  # Bynd
    school: Mapped[str] = mapped_column(String(200), default="")  # xxmc
    major: Mapped[str] = mapped_column(String(200), default="")  # Zymc
    class_name: Mapped[str] = mapped_column(String(200), default="")  # Bjmc
    student_no: Mapped[str] = mapped_column(String(64), default="")  # Xh
    id_number: Mapped[str] = mapped_column(String(64), default="")  # Sfzh
    name: Mapped[str] = mapped_column(String(100), default="")  # Xm
    gender: Mapped[str] = mapped_column(String(10), default="")  # Xb
    exam_no: Mapped[str] = mapped_column(String(64), default="")  # Ksh
    college: Mapped[str | None] = mapped_column(String(200))  # 学院, when known

    id_number18: Mapped[str | None] = mapped_column(String(18))
    id_last6: Mapped[str] = mapped_column(String(6), default="")
    name_initials: Mapped[str] = mapped_column(String(40), default="")

    roster_row: Mapped[int | None] = mapped_column(Integer)  # Excel row, header = 1
    roster_order: Mapped[int] = mapped_column(Integer, default=0)
    import_id: Mapped[int | None] = mapped_column(ForeignKey("roster_imports.id"))
    has_error: Mapped[bool] = mapped_column(Boolean, default=False)
    has_warning: Mapped[bool] = mapped_column(Boolean, default=False)
    unlisted: Mapped[bool] = mapped_column(Boolean, default=False)  # added at the camera
    active: Mapped[bool] = mapped_column(Boolean, default=True)  # False: dropped by a re-sent roster
    created_at: Mapped[datetime] = mapped_column(DateTime, default=now)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=now, onupdate=now)

    findings: Mapped[list[RosterFinding]] = relationship(back_populates="student")
    shots: Mapped[list[Shot]] = relationship(back_populates="student", foreign_keys="Shot.student_id")


class RosterFinding(Base):
    """A problem found in a roster row (error or repaired warning)."""

    __tablename__ = "roster_findings"

    id: Mapped[int] = mapped_column(primary_key=True)
    import_id: Mapped[int] = mapped_column(ForeignKey("roster_imports.id"))
    student_id: Mapped[int | None] = mapped_column(ForeignKey("students.id"), index=True)
    row: Mapped[int] = mapped_column(Integer)
    field: Mapped[str] = mapped_column(String(20))  # one of Bynd, xxmc, ... Ksh, or the college column
    code: Mapped[str] = mapped_column(String(40))
    severity: Mapped[str] = mapped_column(String(10))  # error / warning
    message: Mapped[str] = mapped_column(Text)
    original: Mapped[str | None] = mapped_column(Text)  # the value as read (repr-safe text)
    fixed: Mapped[str | None] = mapped_column(Text)  # the value stored, when repaired

    student: Mapped[Student | None] = relationship(back_populates="findings")


class MajorCollege(Base):
    """Major → college, for rosters without a college column."""

    __tablename__ = "major_colleges"

    major: Mapped[str] = mapped_column(String(200), primary_key=True)
    college: Mapped[str] = mapped_column(String(200))


# --- photos ------------------------------------------------------------------


class Shot(Base):
    """One photo file on the station's disk (a RAW companion rides along).

    A shot is recorded only after its file is durable (fsync'd, verified,
    renamed). ``student_id`` is empty for a file recovered at start-up that no
    one has assigned yet.
    """

    __tablename__ = "shots"
    __table_args__ = (Index("ix_shots_student_taken", "student_id", "taken_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    uid: Mapped[str] = mapped_column(String(32), unique=True, default=new_uid)
    student_id: Mapped[int | None] = mapped_column(ForeignKey("students.id"))
    station_id: Mapped[int] = mapped_column(ForeignKey("stations.id"))
    session_id: Mapped[int | None] = mapped_column(ForeignKey("sessions.id"))
    path: Mapped[str] = mapped_column(String(1000))  # absolute path of the JPEG
    companion_path: Mapped[str | None] = mapped_column(String(1000))  # RAW of a RAW+JPEG shot
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    bytes: Mapped[int] = mapped_column(Integer)
    width: Mapped[int | None] = mapped_column(Integer)
    height: Mapped[int | None] = mapped_column(Integer)
    taken_at: Mapped[datetime] = mapped_column(DateTime, default=now, index=True)
    source: Mapped[str] = mapped_column(String(20), default="app")  # app/button/folder/webcam/recovered
    camera_file: Mapped[str | None] = mapped_column(String(500))  # the camera's own name, for the log

    qc_verdict: Mapped[str | None] = mapped_column(String(10))  # pass/warn/fail/error, None = not checked
    qc_json: Mapped[str | None] = mapped_column(Text)  # the full QC report
    qc_ms: Mapped[float | None] = mapped_column(Float)

    status: Mapped[str] = mapped_column(String(20), default="new")  # new/accepted/retake/rejected
    override_reason: Mapped[str | None] = mapped_column(Text)  # accepted despite a failed check
    decided_at: Mapped[datetime | None] = mapped_column(DateTime)
    # How the student was identified at the camera (a key of ID_METHODS) and what was read: an ID-card
    # scan keeps the number it read (delivery names use it where the roster's number is broken).
    id_method: Mapped[str | None] = mapped_column(String(20))
    id_read: Mapped[str | None] = mapped_column(String(64))

    student: Mapped[Student | None] = relationship(back_populates="shots", foreign_keys=[student_id])
    station: Mapped[Station] = relationship()


class Selection(Base):
    """The chosen shot of a student (at most one per student)."""

    __tablename__ = "selections"

    id: Mapped[int] = mapped_column(primary_key=True)
    uid: Mapped[str] = mapped_column(String(32), unique=True, default=new_uid)
    student_id: Mapped[int] = mapped_column(ForeignKey("students.id"), unique=True)
    shot_id: Mapped[int] = mapped_column(ForeignKey("shots.id"))
    station_id: Mapped[int] = mapped_column(ForeignKey("stations.id"))
    selected_at: Mapped[datetime] = mapped_column(DateTime, default=now, index=True)
    override_reason: Mapped[str | None] = mapped_column(Text)  # accepted although QC failed
    needs_decision: Mapped[bool] = mapped_column(Boolean, default=False)  # set by a merge conflict

    student: Mapped[Student] = relationship()
    shot: Mapped[Shot] = relationship()


# --- absences, data problems, audit -------------------------------------------

ABSENCE_REASONS = {
    "leave": ("请假", "on leave"),
    "internship": ("实习", "internship"),
    "left": ("已离校", "left school"),
    "makeup": ("补拍", "make-up shoot"),
    "other": ("其他", "other"),
}


class Absence(Base):
    """A student marked absent, with a reason that feeds the reconciliation."""

    __tablename__ = "absences"

    id: Mapped[int] = mapped_column(primary_key=True)
    uid: Mapped[str] = mapped_column(String(32), unique=True, default=new_uid)
    student_id: Mapped[int] = mapped_column(ForeignKey("students.id"), index=True)
    station_id: Mapped[int | None] = mapped_column(ForeignKey("stations.id"))
    reason: Mapped[str] = mapped_column(String(20))  # a key of ABSENCE_REASONS
    text: Mapped[str | None] = mapped_column(Text)
    marked_at: Mapped[datetime] = mapped_column(DateTime, default=now)
    cleared_at: Mapped[datetime | None] = mapped_column(DateTime)  # the student turned up after all

    student: Mapped[Student] = relationship()


# How a student was identified at the camera (Shot.id_method): the notice asks for the ID card (持二代身份证).
ID_METHODS = {
    "id_card": ("身份证扫描", "ID card scan"),
    "student_card": ("学生证扫描", "student card scan"),
    "typed": ("手工输入学号", "typed number"),
    "name_search": ("姓名查找", "name search"),
    "unlisted": ("名单外登记", "unlisted, registered at the camera"),
    "assigned": ("待分配照片归属", "given from the waiting photos"),
}


DATA_ISSUE_KINDS = {
    "image_mismatch": ("图像不符", "photo does not match"),
    "id_wrong": ("身份证号错误", "wrong ID number"),
    "name_wrong": ("姓名错误", "wrong name"),
    "other": ("其他", "other"),
}


class DataIssue(Base):
    """A data problem for the errata form (attachment 3): reported at the camera or from the roster."""

    __tablename__ = "data_issues"

    id: Mapped[int] = mapped_column(primary_key=True)
    uid: Mapped[str] = mapped_column(String(32), unique=True, default=new_uid)
    student_id: Mapped[int | None] = mapped_column(ForeignKey("students.id"), index=True)
    station_id: Mapped[int | None] = mapped_column(ForeignKey("stations.id"))
    field: Mapped[str | None] = mapped_column(String(20))  # Sfzh, Xm, ...
    kind: Mapped[str] = mapped_column(String(20))  # a key of DATA_ISSUE_KINDS
    original_value: Mapped[str | None] = mapped_column(Text)
    correct_value: Mapped[str | None] = mapped_column(Text)
    note: Mapped[str | None] = mapped_column(Text)
    source: Mapped[str] = mapped_column(String(20), default="camera")  # camera / roster / unlisted
    reported_at: Mapped[datetime] = mapped_column(DateTime, default=now)
    resolved_at: Mapped[datetime | None] = mapped_column(DateTime)

    student: Mapped[Student | None] = relationship()


class AuditLog(Base):
    """Who did what with personal data, and when: imports, exports, merges."""

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(primary_key=True)
    uid: Mapped[str] = mapped_column(String(32), unique=True, default=new_uid)
    at: Mapped[datetime] = mapped_column(DateTime, default=now, index=True)
    actor: Mapped[str] = mapped_column(String(200))  # user@host
    action: Mapped[str] = mapped_column(String(50))  # roster_import, export_photos, report_reconcile, ...
    scope: Mapped[str | None] = mapped_column(Text)  # JSON: filters, period, ...
    rows: Mapped[int | None] = mapped_column(Integer)
    path: Mapped[str | None] = mapped_column(String(1000))
    file_sha256: Mapped[str | None] = mapped_column(String(64))
    encrypted: Mapped[bool] = mapped_column(Boolean, default=False)
    details: Mapped[str | None] = mapped_column(Text)


class Setting(Base):
    """Station settings (JSON values), shared by the window and the command line."""

    __tablename__ = "settings"

    key: Mapped[str] = mapped_column(String(100), primary_key=True)
    value: Mapped[str] = mapped_column(Text)


class SignSheetCount(Base):
    """The count written on a signed sheet, entered for the reconciliation's cross-check."""

    __tablename__ = "sign_sheet_counts"
    __table_args__ = (UniqueConstraint("college", "class_name", "group_no", "day"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    uid: Mapped[str] = mapped_column(String(32), unique=True, default=new_uid)
    day: Mapped[str] = mapped_column(String(10))  # YYYY-MM-DD
    college: Mapped[str] = mapped_column(String(200), default="")
    class_name: Mapped[str] = mapped_column(String(200), default="")
    group_no: Mapped[int] = mapped_column(Integer, default=0)  # 0 = the whole class
    signed_count: Mapped[int] = mapped_column(Integer)
    entered_at: Mapped[datetime] = mapped_column(DateTime, default=now)


# --- the queue marshal and the published timetable ------------------------------


class PlanSlot(Base):
    """One group of (up to) ten students in a timetable made by ``station plan``.

    A plan run (``plan_uid``) is kept whole so the sign-in sheets and the
    marshal's call order can use the latest one; a re-plan from live counts is
    a new run with ``kind = "replan"``. Group numbers are those of the sign-in
    sheets: a class's roster in student-number order, cut into tens.
    """

    __tablename__ = "plan_slots"
    __table_args__ = (
        Index("ix_plan_slots_plan", "plan_uid", "station_no", "start_at"),
        Index("ix_plan_slots_class", "college", "class_name", "group_no"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_uid: Mapped[str] = mapped_column(String(32))
    kind: Mapped[str] = mapped_column(String(10), default="plan")  # plan / replan
    created_at: Mapped[datetime] = mapped_column(DateTime, default=now, index=True)
    station_no: Mapped[int] = mapped_column(Integer)
    college: Mapped[str] = mapped_column(String(200), default="")
    class_name: Mapped[str] = mapped_column(String(200), default="")
    group_no: Mapped[int] = mapped_column(Integer)
    students: Mapped[int] = mapped_column(Integer)
    arrive_at: Mapped[datetime] = mapped_column(DateTime)  # 候场: at the waiting area
    start_at: Mapped[datetime] = mapped_column(DateTime)
    end_at: Mapped[datetime] = mapped_column(DateTime)
    rate: Mapped[float] = mapped_column(Float)  # students per hour the slot was planned at


class PlanRun(Base):
    """What a timetable was planned with (``station plan``), so a re-plan keeps it.

    ``params`` is JSON: the end of the day, the first day's start time, the
    days, the station count per day, the breaks, the machine-day limit and the
    place (地点) per college or class.
    """

    __tablename__ = "plan_runs"

    plan_uid: Mapped[str] = mapped_column(String(32), primary_key=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=now, index=True)
    params: Mapped[str] = mapped_column(Text, default="{}")


class MarshalCall(Base):
    """A group of ten the queue marshal called from the waiting area."""

    __tablename__ = "marshal_calls"

    id: Mapped[int] = mapped_column(primary_key=True)
    uid: Mapped[str] = mapped_column(String(32), unique=True, default=new_uid)
    station_id: Mapped[int | None] = mapped_column(ForeignKey("stations.id"))
    college: Mapped[str] = mapped_column(String(200), default="")
    class_name: Mapped[str] = mapped_column(String(200), default="")
    group_no: Mapped[int] = mapped_column(Integer)
    called_at: Mapped[datetime] = mapped_column(DateTime, default=now, index=True)
    cancelled_at: Mapped[datetime | None] = mapped_column(DateTime)  # called by mistake


class MergeConflict(Base):
    """Two stations each selected a shot for one student; found by `station merge`.

    ``uid`` is the uid of the incoming selection that could not be merged (a
    student has one selection), so merging the same database again finds it
    here and does not raise the conflict a second time, even after it was decided.
    """

    __tablename__ = "merge_conflicts"

    id: Mapped[int] = mapped_column(primary_key=True)
    uid: Mapped[str] = mapped_column(String(32), unique=True)
    student_id: Mapped[int] = mapped_column(ForeignKey("students.id"), index=True)
    kept_shot_id: Mapped[int] = mapped_column(ForeignKey("shots.id"))
    other_shot_id: Mapped[int] = mapped_column(ForeignKey("shots.id"))
    other_station_id: Mapped[int | None] = mapped_column(ForeignKey("stations.id"))
    source: Mapped[str | None] = mapped_column(String(1000))  # the merged database
    found_at: Mapped[datetime] = mapped_column(DateTime, default=now)
    decided_at: Mapped[datetime | None] = mapped_column(DateTime)
    chosen_shot_id: Mapped[int | None] = mapped_column(ForeignKey("shots.id"))


class QcReview(Base):
    """The photographer's answer to an unsure photo check, from the close-up (issue 12).

    When ears_visible, eyebrows_visible, glasses or jewelry warn or fail, the
    window shows the ears and the brow line enlarged; one key confirms the
    checks' verdict, another overrules it. One row per shot and check (a second
    answer replaces the first); ``station qc-eval --overrides`` counts them.
    """

    __tablename__ = "qc_reviews"
    __table_args__ = (UniqueConstraint("shot_id", "check_name", name="uq_qc_reviews_shot_check"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    shot_id: Mapped[int] = mapped_column(ForeignKey("shots.id"), index=True)
    check_name: Mapped[str] = mapped_column(String(40))
    verdict: Mapped[str] = mapped_column(String(10))  # the check's verdict shown: warn / fail
    decision: Mapped[str] = mapped_column(String(10))  # confirm / overrule
    decided_at: Mapped[datetime] = mapped_column(DateTime, default=now)


# --- site mode -------------------------------------------------------------------


class SiteStation(Base):
    """A station's replication state, as the site database last heard it (one row a station).

    On the site database each station writes its own row at every sync (its heartbeat);
    a station keeps a copy of the site's rows for `station site status` offline.
    """

    __tablename__ = "site_stations"

    station_uid: Mapped[str] = mapped_column(String(32), primary_key=True)
    number: Mapped[int] = mapped_column(Integer, default=0)
    name: Mapped[str] = mapped_column(String(100), default="")
    last_contact: Mapped[datetime | None] = mapped_column(DateTime)  # the last successful sync
    last_push_from: Mapped[datetime | None] = mapped_column(DateTime)  # what was local by then is on the site
    pending: Mapped[int] = mapped_column(Integer, default=0)  # records not yet on the site at that time
    lag_s: Mapped[float | None] = mapped_column(Float)  # age of the oldest record that sync carried
    marks: Mapped[str | None] = mapped_column(Text)  # JSON: per-table id watermarks of the delta sync (station side)
