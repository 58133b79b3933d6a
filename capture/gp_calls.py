"""The thin layer between the gphoto2 backend and python-gphoto2.

Every libgphoto2 call the station makes goes through :meth:`GpCalls.call`, by
name. That keeps the backend free of SWIG details (CameraList iteration,
CameraFilePath, widgets) and gives tests one seam: a subclass can make the Nth
``file_get`` fail with a real ``GPhoto2Error`` code (the camera vanishing
mid-download) while the real library and the virtual camera stay underneath.

libgphoto2 is not thread-safe: a GpCalls object and the cameras it opens
belong to one thread (the backend's). ``LIB_LOCK`` serialises the few
process-wide steps (loading the port and camera driver lists) between
backends and ``station camera list``.

No call here may hold Python's GIL for long, or the window freezes while
the camera thread waits on the device: the calls python-gphoto2 wraps
without releasing it (exit, autodetect, file_delete, storage info, the
driver list loads) go through ``capture.gp_nogil`` (ctypes, same library).
``GpCalls(release_gil=False)`` keeps python-gphoto2's own calls, for the
benchmark's side-by-side and as the fallback where ctypes cannot be set up.
"""

from __future__ import annotations

import logging
import os
import threading
from collections import Counter
from typing import Any, Callable

from capture.gp_nogil import NoGil, StorageInfo
from capture.gp_nogil import load as load_nogil

log = logging.getLogger(__name__)

LIB_LOCK = threading.RLock()
_log_handle: Any = None


def gphoto2_module():
    """Import python-gphoto2, routing libgphoto2's own log into Python logging (logger "gphoto2").

    libgphoto2 reports every failed call at its ERROR level, including
    expected ones (probing live view), so those go to INFO; the backend
    reports real problems itself in plain words.
    """
    global _log_handle
    import gphoto2 as gp

    if _log_handle is None:
        _log_handle = gp.use_python_logging(
            mapping={
                gp.GP_LOG_ERROR: logging.INFO,
                gp.GP_LOG_VERBOSE: logging.DEBUG,
                gp.GP_LOG_DEBUG: logging.DEBUG - 3,
                gp.GP_LOG_DATA: logging.DEBUG - 6,
            }
        )
    return gp


def use_virtual_camera_iolibs(gp) -> None:
    """Point libgphoto2 at the virtual-camera port driver when VCAMERADIR is set.

    python-gphoto2 chooses its port drivers (IOLIBS) once, at import, from
    whether VCAMERADIR is set then; libgphoto2 reads IOLIBS each time it loads
    the port list. Switching here lets a process that imported gphoto2 first
    still use the virtual camera (and switch back to real USB when the
    variable is removed).
    """
    iolibs = os.environ.get("IOLIBS")
    if not iolibs:
        return
    base = os.path.dirname(iolibs)
    want = os.path.join(base, "vusb" if os.environ.get("VCAMERADIR") else "iolibs")
    if want != iolibs and os.path.isdir(want):
        os.environ["IOLIBS"] = want


class Download:
    """A downloaded file. python-gphoto2's data view does not keep its CameraFile alive
    (the memory is freed with it), so the two travel together."""

    __slots__ = ("_file", "data")

    def __init__(self, camera_file: Any, data: memoryview):
        self._file = camera_file
        self.data = data

    def __len__(self) -> int:
        return len(self.data)


class GpCalls:
    """All python-gphoto2 calls of one camera thread."""

    def __init__(self, *, release_gil: bool = True) -> None:
        self.gp = gphoto2_module()
        self.counts: Counter[str] = Counter()
        self.nogil: NoGil | None = load_nogil(self.gp) if release_gil else None

    # The seam: every call is counted and named; tests override this.
    def call(self, name: str, fn: Callable[..., Any], *args: Any) -> Any:
        self.counts[name] += 1
        return fn(*args)

    def autodetect(self) -> list[tuple[str, str]]:
        gp = self.gp

        def _detect():
            with LIB_LOCK:
                use_virtual_camera_iolibs(gp)
                if self.nogil is not None:
                    return self.nogil.autodetect()
                cl = gp.Camera.autodetect()
                return [(cl.get_name(i), cl.get_value(i)) for i in range(cl.count())]

        return self.call("autodetect", _detect)

    def open(self, model: str | None = None, port: str | None = None):
        """A fresh, initialised camera object (the first detected, or the one on ``port``)."""
        gp = self.gp

        def _open():
            with LIB_LOCK:
                use_virtual_camera_iolibs(gp)
                cam = gp.Camera()
                if port:
                    ports = gp.PortInfoList()
                    if self.nogil is not None:
                        self.nogil.port_info_list_load(ports)
                    else:
                        ports.load()
                    cam.set_port_info(ports[ports.lookup_path(port)])
                    if model:
                        abilities = gp.CameraAbilitiesList()
                        if self.nogil is not None:
                            self.nogil.abilities_list_load(abilities)
                        else:
                            abilities.load()
                        cam.set_abilities(abilities[abilities.lookup_model(model)])
                cam.init()  # python-gphoto2 releases the GIL here itself
                return cam

        return self.call("open", _open)

    def exit(self, cam) -> None:
        if self.nogil is not None:
            self.call("exit", self.nogil.camera_exit, cam)
        else:
            self.call("exit", cam.exit)

    def abilities(self, cam) -> tuple[str, int]:
        a = self.call("abilities", cam.get_abilities)
        return a.model, int(a.operations)

    def port_path(self, cam) -> str | None:
        try:
            return self.call("port_path", lambda: cam.get_port_info().get_path())
        except Exception:  # older libgphoto2 without get_path: the port is only for display
            log.debug("port path unavailable", exc_info=True)
            return None

    def capture(self, cam) -> tuple[str, str]:
        p = self.call("capture", cam.capture, self.gp.GP_CAPTURE_IMAGE)
        return p.folder, p.name

    def wait_for_event(self, cam, timeout_ms: int) -> tuple[int, Any]:
        """(event type, payload); a file-added/folder-added payload becomes (folder, name)."""
        gp = self.gp
        kind, data = self.call("wait_for_event", cam.wait_for_event, int(timeout_ms))
        if kind in (gp.GP_EVENT_FILE_ADDED, gp.GP_EVENT_FOLDER_ADDED, getattr(gp, "GP_EVENT_FILE_CHANGED", -99)):
            data = (data.folder, data.name)
        return kind, data

    def file_get(self, cam, folder: str, name: str) -> "Download":
        """The file, downloaded into memory (no copy: ``.data`` views libgphoto2's buffer)."""
        cf = self.call("file_get", cam.file_get, folder, name, self.gp.GP_FILE_TYPE_NORMAL)
        return Download(cf, cf.get_data_and_size())

    def file_delete(self, cam, folder: str, name: str) -> None:
        if self.nogil is not None:
            self.call("file_delete", self.nogil.file_delete, cam, folder, name)
        else:
            self.call("file_delete", cam.file_delete, folder, name)

    def capture_preview(self, cam) -> bytes:
        cf = self.call("capture_preview", cam.capture_preview)
        return bytes(memoryview(cf.get_data_and_size()))

    def get_config_value(self, cam, name: str) -> str | None:
        """A config widget's value, or None where the camera has no such widget."""
        gp = self.gp
        try:
            w = self.call("get_config", cam.get_single_config, name)
        except gp.GPhoto2Error as exc:
            if exc.code in (gp.GP_ERROR_BAD_PARAMETERS, gp.GP_ERROR_NOT_SUPPORTED):
                return None
            raise
        return w.get_value()

    def config_choices(self, cam, name: str) -> list[str]:
        gp = self.gp
        try:
            w = self.call("get_config", cam.get_single_config, name)
        except gp.GPhoto2Error as exc:
            if exc.code in (gp.GP_ERROR_BAD_PARAMETERS, gp.GP_ERROR_NOT_SUPPORTED):
                return []
            raise
        try:
            return [w.get_choice(i) for i in range(w.count_choices())]
        except gp.GPhoto2Error:
            return []

    def set_config_value(self, cam, name: str, value: Any) -> None:
        def _set():
            w = cam.get_single_config(name)
            w.set_value(value)
            cam.set_single_config(name, w)

        self.call("set_config", _set)

    def storage_info(self, cam) -> list[StorageInfo]:
        if self.nogil is not None:
            return self.call("storage_info", self.nogil.storage_info, cam)
        gp = self.gp
        out = []
        for si in self.call("storage_info", cam.get_storageinfo):
            free = si.freekbytes / 1024 if si.fields & gp.GP_STORAGEINFO_FREESPACEKBYTES else None
            cap = si.capacitykbytes / 1024 if si.fields & gp.GP_STORAGEINFO_MAXCAPACITY else None
            desc = si.description if si.fields & gp.GP_STORAGEINFO_DESCRIPTION else ""
            out.append(StorageInfo(free, cap, desc))
        return out
