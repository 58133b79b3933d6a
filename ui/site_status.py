"""Site mode in the window: the station's replicator thread and its status line.

The replicator (:class:`app.site.Replicator`) runs on its own thread; each attempt's
state reaches the UI thread as a Qt signal carrying the words to show
("站点已同步 10:42:03", "站点离线 3 分钟, 12 条记录待同步 (本机照常拍摄)").
"""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal

from app.site import ReplicatorState, replicator_for


class SiteStatus(QObject):
    changed = Signal(str, bool)  # the status line's words, online

    def __init__(self, db, parent=None):
        super().__init__(parent)
        self.replicator = replicator_for(db, on_change=self._on_change)

    @property
    def enabled(self) -> bool:
        return self.replicator is not None

    def start(self) -> None:
        if self.replicator is not None:
            self.replicator.start()

    def stop(self) -> None:
        if self.replicator is not None:
            self.replicator.stop()

    def kick(self) -> None:
        """Sync soon (after a selection), instead of at the next tick."""
        if self.replicator is not None:
            self.replicator.kick()

    def _on_change(self, state: ReplicatorState) -> None:  # the replicator's thread
        self.changed.emit(state.line(), state.online)
