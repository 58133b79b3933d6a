"""The PySide6 windows (the only package that imports Qt).

PySide6 6.12.0 returns ``None`` from every wrapped C++ method that returns
``void`` (``widget.update()``, ``line_edit.setText()``, a ``QRunnable``'s
``run``...) and ``True`` from ``SignalInstance.emit()`` without taking a
reference to them, so each such call lowers the reference count of ``None``
or ``True`` by one. On CPython 3.12+ these objects are immortal and nothing
happens; on 3.10/3.11 the count reaches zero after some thousands of calls
(a few minutes of a busy window) and the interpreter aborts with
"none_dealloc: deallocating None" or "bool_dealloc: deallocating True or
False". PySide6 6.11.3 does not have the fault. Until a fixed PySide6 is the
one installed, importing ``ui`` checks for it once (unless the installed
PySide6 is older than 6.12) and, where it is present,
gives ``None``, ``True`` and ``False`` a reference count no call can
exhaust — what CPython 3.12 does for them by design.
"""

from __future__ import annotations

import sys


def _leaks() -> bool:
    """True when void calls or signal emits lose a reference to None or True."""
    from PySide6.QtCore import QObject, Signal

    class _Probe(QObject):
        ping = Signal()

    probe = _Probe()
    none_before, true_before = sys.getrefcount(None), sys.getrefcount(True)
    for _ in range(8):
        probe.setObjectName("probe")
        probe.ping.emit()
    return sys.getrefcount(None) < none_before or sys.getrefcount(True) < true_before


def _make_immortal(objects: tuple) -> bool:
    import ctypes

    for obj in objects:
        # Only where ob_refcnt is the object's first field (not a trace-refs debug build).
        if abs(ctypes.c_ssize_t.from_address(id(obj)).value - (sys.getrefcount(obj) - 1)) > 2:
            return False
    for obj in objects:
        ctypes.c_ssize_t.from_address(id(obj)).value += 1 << 48
    return True


def _maybe_faulty() -> bool:
    """False when the installed PySide6 is one known to keep its references (before 6.12): then
    importing ``ui`` does not load Qt, so `station --help` (which registers the window launchers
    in ui/window_cmd.py and ui/marshal_cmd.py) stays light. Any other or unknown version is probed."""
    from importlib.metadata import PackageNotFoundError, version

    for dist in ("PySide6-Essentials", "PySide6"):
        try:
            parts = version(dist).split(".")
            return (int(parts[0]), int(parts[1])) >= (6, 12)
        except PackageNotFoundError:
            continue
        except (ValueError, IndexError):
            return True
    return True


REFCOUNT_GUARD = False
if sys.version_info < (3, 12) and sys.implementation.name == "cpython" and _maybe_faulty():
    try:
        if _leaks():
            REFCOUNT_GUARD = _make_immortal((None, True, False))
    except ImportError:  # PySide6 missing: the commands say so when they need it
        pass
