"""The marshal window's data side: its view and its actions, run on the window's worker pool.

:class:`SnapshotPoller` lives on the UI thread and hands every database access of
the window to :class:`app.marshal_service.MarshalService` on one lane of the worker
pool (``ui.workers.Runner(threads=1)``: polls and actions one after the other, in
order). Every half second it asks for the view; the service reads a cheap change
token and recomputes the :class:`app.marshal_service.MarshalView` only when
shots, absences or calls changed.
"""

from __future__ import annotations

import logging
import threading
from typing import Callable

from PySide6.QtCore import QObject, QTimer, Signal

from app.marshal_service import MarshalService, MarshalView
from ui.workers import Runner

log = logging.getLogger(__name__)

POLL_MS = 500

__all__ = ["POLL_MS", "MarshalView", "SnapshotPoller"]


class SnapshotPoller(QObject):
    """``SnapshotPoller(service)``: polls the view and runs the marshal's actions off the UI thread."""

    view_ready = Signal(object)
    action_done = Signal(str)
    action_failed = Signal(str)

    def __init__(self, service: MarshalService, interval_ms: int = POLL_MS, parent: QObject | None = None):
        super().__init__(parent)
        self.service = service
        self.interval_ms = interval_ms
        self.runner = Runner(self, threads=1)
        self.phone_port: int | None = None  # read on the pool when the poller starts, for the phone switch
        self.worker_thread: str | None = None  # the thread that last read the database (never the UI's)
        self._key = None
        self._in_flight = False
        self._stopped = False
        self._timer = QTimer(self)
        self._timer.timeout.connect(self.poll)

    @property
    def station_id(self) -> int | None:
        return self.service.station_id

    def start(self) -> None:
        self.runner.submit(self.service.phone_port, on_done=self._got_port,
                           on_error=lambda exc: log.warning("marshal: phone.port: %s", exc))  # the default then
        self._timer.start(self.interval_ms)
        self.poll(force=True)

    def stop(self, wait_ms: int = 5000) -> None:
        """Stop polling and wait for the lane's jobs; answers arriving later are dropped."""
        self._stopped = True
        self._timer.stop()
        self.runner.wait(wait_ms)

    def _got_port(self, port: int) -> None:
        self.phone_port = port

    def poll(self, force: bool = False) -> None:
        if self._stopped or (self._in_flight and not force):
            return
        self._in_flight = True
        self.runner.submit(self._fetch, None if force else self._key, on_done=self._fetched, on_error=self._poll_failed)

    def _fetch(self, key):
        self.worker_thread = threading.current_thread().name
        return self.service.view_if_changed(key)

    def _fetched(self, result) -> None:
        self._in_flight = False
        key, view = result
        self._key = key
        if view is not None and not self._stopped:
            self.view_ready.emit(view)

    def _poll_failed(self, exc) -> None:  # a locked or vanished database: say so, keep polling
        self._in_flight = False
        log.warning("marshal poll: %s", exc)
        if not self._stopped:
            self.action_failed.emit(getattr(exc, "message", None) or str(exc))

    def run(self, label: str, fn: Callable[[], object]) -> None:
        """Run ``fn()`` (a service call) on the lane; then say ``label`` (or why not) and refresh the view."""
        if self._stopped:
            return
        self.runner.submit(fn, on_done=lambda _r: self.action_done.emit(label),
                           on_error=lambda exc: self.action_failed.emit(getattr(exc, "message", None) or str(exc)))
        self.poll(force=True)
