"""The libgphoto2 calls that python-gphoto2 makes with the GIL held, made through ctypes instead.

python-gphoto2 2.6.4 releases Python's GIL only around some of its calls
(init, capture, file_get, wait_for_event, get/set_single_config, ...). The
others keep it for as long as libgphoto2 takes, and every Python thread,
the window's included, waits. The ones the camera thread makes that talk to
the device or load drivers (checked in the wheel's wrappers, which call
``PyEval_SaveThread`` only for the released ones; measured with
``bench/bench_capture.py --gil``):

- ``gp_camera_exit``: drains the camera's interrupt endpoint with 150 ms
  reads before closing; 300 ms on the virtual camera after a battery read
  and a shot, and a USB timeout on a camera that was pulled out;
- ``gp_camera_autodetect``: loads every port and camera driver and scans
  the bus, about 18 ms, once a second while no camera is connected;
- ``gp_camera_file_delete``, ``gp_camera_get_storageinfo``: one PTP
  transaction each on a real camera;
- ``gp_port_info_list_load``, ``gp_abilities_list_load``: the driver
  scans, when a camera is opened on a named port.

A ``ctypes.CDLL`` foreign call releases the GIL for its whole duration.
The functions are looked up through python-gphoto2's own extension module
(``dlsym`` on its handle searches the libraries it was linked with), so they
are the very libgphoto2 the wheel loaded, with the same camera structures,
whatever the library is called on disk. The Python objects (``Camera``,
``CameraList``, ...) are passed as the C pointers they wrap.

Like every libgphoto2 call, these belong to the thread that owns the camera;
releasing the GIL lets other threads run Python, not touch the camera.
"""

from __future__ import annotations

import ctypes
import logging
from dataclasses import dataclass
from typing import Any

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class StorageInfo:
    free_mb: float | None
    capacity_mb: float | None
    description: str


class _CameraStorageInformation(ctypes.Structure):
    """gphoto2-filesys.h, unchanged since libgphoto2 2.4 (enums are C ints)."""

    _fields_ = [
        ("fields", ctypes.c_int),
        ("basedir", ctypes.c_char * 256),
        ("label", ctypes.c_char * 256),
        ("description", ctypes.c_char * 256),
        ("type", ctypes.c_int),
        ("fstype", ctypes.c_int),
        ("access", ctypes.c_int),
        ("capacitykbytes", ctypes.c_uint64),
        ("freekbytes", ctypes.c_uint64),
        ("freeimages", ctypes.c_uint64),
    ]


_P = ctypes.c_void_p
_SIGNATURES: dict[str, tuple[Any, ...]] = {
    "gp_camera_exit": (_P, _P),
    "gp_camera_autodetect": (_P, _P),
    "gp_camera_file_delete": (_P, ctypes.c_char_p, ctypes.c_char_p, _P),
    "gp_camera_get_storageinfo": (
        _P,
        ctypes.POINTER(ctypes.POINTER(_CameraStorageInformation)),
        ctypes.POINTER(ctypes.c_int),
        _P,
    ),
    "gp_port_info_list_load": (_P,),
    "gp_abilities_list_load": (_P, _P),
}


def _pointer(obj: Any) -> int:
    """The C pointer a python-gphoto2 (SWIG) object wraps."""
    return int(obj)


class NoGil:
    """libgphoto2 functions called with the GIL released; the same results as python-gphoto2's calls.

    Errors are raised as python-gphoto2's own ``GPhoto2Error`` with
    libgphoto2's code, so callers cannot tell the two paths apart. The
    context argument is NULL, which libgphoto2 accepts everywhere (the
    wrappers' default context only carries callbacks the station does not set).
    """

    def __init__(self, gp: Any):
        self.gp = gp
        from gphoto2 import _camera  # the extension linked against the wheel's libgphoto2

        handle = ctypes.CDLL(_camera.__file__)
        self._fn: dict[str, Any] = {}
        for name, argtypes in _SIGNATURES.items():
            fn = getattr(handle, name)
            fn.argtypes = argtypes
            fn.restype = ctypes.c_int
            self._fn[name] = fn
        self._free = ctypes.CDLL(None).free
        self._free.argtypes = (_P,)
        self._free.restype = None

    def _check(self, rc: int) -> int:
        if rc < 0:
            raise self.gp.GPhoto2Error(rc)
        return rc

    def camera_exit(self, cam: Any) -> None:
        self._check(self._fn["gp_camera_exit"](_pointer(cam), None))

    def autodetect(self) -> list[tuple[str, str]]:
        cl = self.gp.CameraList()
        self._check(self._fn["gp_camera_autodetect"](_pointer(cl), None))
        return [(cl.get_name(i), cl.get_value(i)) for i in range(cl.count())]

    def file_delete(self, cam: Any, folder: str, name: str) -> None:
        self._check(self._fn["gp_camera_file_delete"](_pointer(cam), folder.encode(), name.encode(), None))

    def storage_info(self, cam: Any) -> list[StorageInfo]:
        gp = self.gp
        arr = ctypes.POINTER(_CameraStorageInformation)()
        count = ctypes.c_int(0)
        self._check(self._fn["gp_camera_get_storageinfo"](_pointer(cam), ctypes.byref(arr), ctypes.byref(count), None))
        try:
            out = []
            for i in range(count.value):
                si = arr[i]
                free = si.freekbytes / 1024 if si.fields & gp.GP_STORAGEINFO_FREESPACEKBYTES else None
                cap = si.capacitykbytes / 1024 if si.fields & gp.GP_STORAGEINFO_MAXCAPACITY else None
                desc = si.description.decode("utf-8", "replace") if si.fields & gp.GP_STORAGEINFO_DESCRIPTION else ""
                out.append(StorageInfo(free, cap, desc))
            return out
        finally:
            if arr:
                self._free(ctypes.cast(arr, _P))  # libgphoto2 mallocs the array for the caller

    def port_info_list_load(self, ports: Any) -> None:
        self._check(self._fn["gp_port_info_list_load"](_pointer(ports)))

    def abilities_list_load(self, abilities: Any) -> None:
        self._check(self._fn["gp_abilities_list_load"](_pointer(abilities), None))


def load(gp: Any) -> NoGil | None:
    """The ctypes path, or None (with a warning) where it cannot be set up: the wrappers then run."""
    try:
        return NoGil(gp)
    except (OSError, AttributeError, ImportError, TypeError) as exc:
        log.warning("libgphoto2 calls will hold the GIL (ctypes path unavailable: %s)", exc)
        return None
