"""Every shot of the current student, as thumbnails: the selected one is marked, any can be re-selected."""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtGui import QColor, QIcon, QImage, QPainter, QPen, QPixmap
from PySide6.QtWidgets import QListWidget, QListWidgetItem

from app.workflow import ShotInfo

THUMB = QSize(60, 80)
_VERDICT_COLOR = {"pass": "#1f9d55", "warn": "#e09f00", "fail": "#d62828", "error": "#d62828"}


class ShotStrip(QListWidget):
    """Click a thumbnail to look at that shot (and re-select it with F4)."""

    shot_clicked = Signal(int)

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setViewMode(QListWidget.ViewMode.IconMode)
        self.setFlow(QListWidget.Flow.LeftToRight)
        self.setWrapping(False)
        self.setIconSize(THUMB)
        self.setFixedHeight(THUMB.height() + 30)
        self.setMovement(QListWidget.Movement.Static)
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.itemClicked.connect(lambda it: self.shot_clicked.emit(int(it.data(Qt.ItemDataRole.UserRole))))
        self._thumbs: dict[int, QImage] = {}
        self.shots: list[ShotInfo] = []

    def show_shots(self, shots: list[ShotInfo]) -> None:
        self.shots = list(shots)
        self.clear()
        for i, shot in enumerate(shots, 1):
            label = f"{'★' if shot.selected else ''}{i}"
            it = QListWidgetItem(self._icon(shot), label)
            it.setData(Qt.ItemDataRole.UserRole, shot.id)
            it.setToolTip(f"{shot.taken_at:%H:%M:%S}  {shot.qc_verdict or ''}  {shot.status}")
            self.addItem(it)
        if shots:
            self.scrollToItem(self.item(self.count() - 1))

    def set_thumbnail(self, shot_id: int, image: QImage) -> None:
        self._thumbs[shot_id] = image
        for i in range(self.count()):
            it = self.item(i)
            if int(it.data(Qt.ItemDataRole.UserRole)) == shot_id:
                shot = next((s for s in self.shots if s.id == shot_id), None)
                if shot is not None:
                    it.setIcon(self._icon(shot))

    def has_thumbnail(self, shot_id: int) -> bool:
        return shot_id in self._thumbs

    def forget(self) -> None:
        """Drop cached thumbnails (a new student: keeps memory flat over a day)."""
        self._thumbs.clear()

    def _icon(self, shot: ShotInfo) -> QIcon:
        pm = QPixmap(THUMB)
        pm.fill(QColor("#30343a"))
        p = QPainter(pm)
        img = self._thumbs.get(shot.id)
        if img is not None:
            scaled = img.scaled(THUMB, Qt.AspectRatioMode.KeepAspectRatio, Qt.TransformationMode.SmoothTransformation)
            p.drawImage((THUMB.width() - scaled.width()) // 2, (THUMB.height() - scaled.height()) // 2, scaled)
        color = QColor(_VERDICT_COLOR.get(shot.qc_verdict or "", "#888888"))
        p.setPen(QPen(color, 5 if shot.selected else 3))
        p.drawRect(pm.rect().adjusted(1, 1, -2, -2))
        p.end()
        return QIcon(pm)
