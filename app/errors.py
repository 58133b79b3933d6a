"""Typed errors the command line turns into a message and an exit code."""

from __future__ import annotations


class StationError(Exception):
    """An error the operator can understand and act on.

    ``message`` is shown as is (Chinese first); ``exit_code`` is what the
    `station` command exits with.
    """

    exit_code = 1

    def __init__(self, message: str, *, exit_code: int | None = None):
        super().__init__(message)
        self.message = message
        if exit_code is not None:
            self.exit_code = exit_code


class InputError(StationError):
    """A file or an argument could not be read (wrong password, corrupt file...)."""

    exit_code = 2


class NotFound(StationError):
    exit_code = 3


class PasswordNeeded(InputError):
    """An encrypted file needs a password (``wrong``: the one given did not open it)."""

    def __init__(self, message: str, *, wrong: bool = False):
        super().__init__(message)
        self.wrong = wrong


# --- every foreseeable fault, one sentence and one exit code ------------------------------
#
# Exit codes of the `station` command (README "Exit codes"):
#   0 done · 1 done, but something was not (a failing photo, a student not exported)
#   2 input: a file, an argument or a database that cannot be used · 3 not found
#   4 camera (none, gone, busy) or a photo that did not verify · 5 disk full or below the free-space floor
#   6 database locked by another program · 7 permission denied (file system or supervisor PIN)
#   70 an unforeseen error (the details are in the log) · 130 interrupted (Ctrl-C)


class CameraFault(StationError):
    exit_code = 4


class DiskFull(StationError):
    exit_code = 5


class DatabaseBusy(StationError):
    exit_code = 6


class PermissionDenied(StationError):
    exit_code = 7


class SelectionConflict(StationError):
    """Another station (or process) selected a photo for the same student at the same moment."""

    exit_code = 1


UNFORESEEN_EXIT = 70

_NOSPACE = (28, 122)  # ENOSPC, EDQUOT
_PERM = (1, 13, 30)  # EPERM, EACCES, EROFS


def _chain(exc: BaseException):
    """The exception, what it wraps (SQLAlchemy's ``orig``), its cause and context, each once."""
    seen: set[int] = set()
    todo = [exc]
    while todo:
        e = todo.pop(0)
        if e is None or id(e) in seen:
            continue
        seen.add(id(e))
        yield e
        todo.extend([getattr(e, "orig", None), e.__cause__, e.__context__])


def _where(e: OSError) -> str:
    name = e.filename or ""
    return f" ({name})" if name else ""


def as_station_error(exc: BaseException, *, camera: bool = True) -> StationError | None:
    """The operator's sentence and exit code for a foreseeable fault; None for one nobody foresaw.

    A :class:`StationError` is itself. Otherwise the exception, what it wraps
    and its causes are looked at for: a full disk (OSError ENOSPC/EDQUOT,
    SQLite's "database or disk is full"), a locked database ("database is
    locked"/"busy", after the busy timeout), a file system that refuses
    (EACCES/EPERM/EROFS, SQLite's "readonly database"/"unable to open"), a
    concurrent write of one student's selection (a UNIQUE IntegrityError on
    selections), a camera error (capture.base.CaptureError, by its code;
    ``camera=False`` leaves those to the window's camera panel, which reads their code).
    """
    if isinstance(exc, StationError):
        return exc
    chain = list(_chain(exc))
    for e in chain if camera else ():
        if type(e).__name__ == "CaptureError" and type(e).__module__ == "capture.base":
            code = getattr(e, "code", None)
            msg = str(e)
            if code in ("disk_full", "disk_low"):
                err: StationError = DiskFull(msg)
            else:
                err = CameraFault(msg)
            err.__cause__ = exc
            return err
    for e in chain:
        if type(e).__name__ == "CaptureError":
            return None
        text = str(e).lower()
        mod = type(e).__module__
        if isinstance(e, OSError) and e.errno in _NOSPACE or "database or disk is full" in text:
            where = _where(e) if isinstance(e, OSError) else ""
            err = DiskFull(
                f"磁盘已满{where}: 没有写完的内容已撤销, 已有的数据和照片不受影响。请腾出空间 (或换一个磁盘) 后重试。"
                f" / Disk full{where}: nothing half-written was kept; free some space and try again."
            )
        elif "database is locked" in text or "database is busy" in text or "database table is locked" in text:
            err = DatabaseBusy(
                "数据库正被另一个程序占用 (等待 10 秒后仍未释放)。请等它完成 (例如合并或导出) 后重试。"
                " / The database is locked by another program; wait for it to finish and try again."
            )
        elif isinstance(e, OSError) and e.errno in _PERM:
            err = PermissionDenied(
                f"没有权限{_where(e)}: 请检查该文件或文件夹的权限, 或换一个位置。"
                f" / Permission denied{_where(e)}: check the file's permissions or choose another place."
            )
        elif mod.startswith("sqlite3") and ("readonly database" in text or "unable to open" in text):
            err = PermissionDenied(
                "无法写入数据库文件 (只读或没有权限)。请检查数据库所在文件夹的权限。"
                " / The database file cannot be written (read-only or no permission)."
            )
        elif mod.startswith("sqlite3") and "unique constraint failed: selections." in text:
            err = SelectionConflict(
                "另一个进程刚刚为同一学生选定了照片, 这次选定没有保存 (照片本身都在)。请查看该学生的照片后重新选定。"
                " / Another process selected a photo for this student at the same moment; this selection was not saved."
            )
        elif isinstance(e, OSError) and e.errno == 2 and e.filename:
            err = StationError(f"找不到文件或文件夹: {e.filename} / not found", exit_code=3)
        elif mod.startswith("sqlite3") and ("malformed" in text or "not a database" in text):
            err = InputError(f"数据库文件已损坏或不是机位数据库: {e} / the database file is damaged or not a station database")
        else:
            continue
        err.__cause__ = exc
        return err
    return None


def unforeseen_message(exc: BaseException, log_file: str | None = None) -> str:
    where = f", 详情已写入日志 {log_file}" if log_file else ""
    return (
        f"意外错误 ({type(exc).__name__}: {exc}){where}。已保存的照片和数据不受影响; 请把日志交给技术支持。"
        f" / Unexpected error; saved photos and data are safe. Please send the log to support."
    )
