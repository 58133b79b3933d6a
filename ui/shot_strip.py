"""Every shot of the current student, as thumbnails: the selected one is marked, any can be re-selected.

The thumbnails are painted by a delegate straight from a QImage. A QIcon
would put every thumbnail it draws into Qt's global QPixmapCache, which then
filled up to its 10 MB limit over a day's students (the window's memory grew
by ~1 MB every few dozen students until it did).
"""

from __future__ import annotations

from PySide6.QtCore import QRect, QSize, Qt, Signal
from PySide6.QtGui import QColor, QImage, QPainter, QPen
from PySide6.QtWidgets import QListWidget, QListWidgetItem, QStyle, QStyledItemDelegate

from app.workflow import ShotInfo

THUMB = QSize(60, 80)
_VERDICT_COLOR = {"pass": "#1f9d55", "warn": "#e09f00", "fail": "#d62828", "error": "#d62828"}
SHOT_ROLE = Qt.ItemDataRole.UserRole + 1  # the ShotInfo
IMAGE_ROLE = Qt.ItemDataRole.UserRole + 2  # the thumbnail QImage, already at its drawn size


def fit_image(image: QImage, size: QSize) -> QImage:
    return image.scaled(size, Qt.AspectRatioMode.KeepAspectRatio, Qt.TransformationMode.SmoothTransformation)


class ThumbnailDelegate(QStyledItemDelegate):
    """A thumbnail with a frame in its verdict's colour (thicker when selected) and a line of text under it."""

    def __init__(self, size: QSize, parent=None):
        super().__init__(parent)
        self.size = size

    def sizeHint(self, option, index) -> QSize:
        lines = max(1, str(index.data(Qt.ItemDataRole.DisplayRole) or "").count("\n") + 1)
        return QSize(self.size.width() + 12, self.size.height() + 8 + option.fontMetrics.height() * lines)

    def paint(self, p: QPainter, option, index) -> None:
        p.save()
        r = option.rect
        if option.state & QStyle.StateFlag.State_Selected:
            p.fillRect(r, option.palette.highlight())
        box = QRect(r.left() + (r.width() - self.size.width()) // 2, r.top() + 4, self.size.width(),
                    self.size.height())
        p.fillRect(box, QColor("#30343a"))
        img = index.data(IMAGE_ROLE)
        if isinstance(img, QImage) and not img.isNull():
            p.drawImage(box.left() + (box.width() - img.width()) // 2, box.top() + (box.height() - img.height()) // 2,
                        img)
        shot = index.data(SHOT_ROLE)
        verdict = getattr(shot, "qc_verdict", None)
        chosen = bool(getattr(shot, "selected", False))
        p.setPen(QPen(QColor(_VERDICT_COLOR.get(verdict or "", "#888888")), 5 if chosen else 3))
        p.drawRect(box.adjusted(1, 1, -2, -2))
        text = str(index.data(Qt.ItemDataRole.DisplayRole) or "")
        p.setPen(option.palette.color(option.palette.ColorRole.HighlightedText)
                 if option.state & QStyle.StateFlag.State_Selected else option.palette.color(option.palette.ColorRole.Text))
        p.drawText(QRect(r.left(), box.bottom() + 2, r.width(), r.bottom() - box.bottom() - 2),
                   int(Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop), text)
        p.restore()


class ShotStrip(QListWidget):
    """Click a thumbnail to look at that shot (and re-select it with F4)."""

    shot_clicked = Signal(int)

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setViewMode(QListWidget.ViewMode.IconMode)
        self.setFlow(QListWidget.Flow.LeftToRight)
        self.setWrapping(False)
        self.setItemDelegate(ThumbnailDelegate(THUMB, self))
        self.setFixedHeight(THUMB.height() + 34)
        self.setMovement(QListWidget.Movement.Static)
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.itemClicked.connect(lambda it: self.shot_clicked.emit(int(it.data(Qt.ItemDataRole.UserRole))))
        self._thumbs: dict[int, QImage] = {}
        self.shots: list[ShotInfo] = []

    def show_shots(self, shots: list[ShotInfo]) -> None:
        self.shots = list(shots)
        self.clear()
        for i, shot in enumerate(shots, 1):
            it = QListWidgetItem(f"{'★' if shot.selected else ''}{i}")
            it.setData(Qt.ItemDataRole.UserRole, shot.id)
            it.setData(SHOT_ROLE, shot)
            if shot.id in self._thumbs:
                it.setData(IMAGE_ROLE, self._thumbs[shot.id])
            it.setToolTip(f"{shot.taken_at:%H:%M:%S}  {shot.qc_verdict or ''}  {shot.status}")
            self.addItem(it)
        if shots:
            self.scrollToItem(self.item(self.count() - 1))

    def set_thumbnail(self, shot_id: int, image: QImage) -> None:
        if not any(s.id == shot_id for s in self.shots):
            return  # not this student's (another window asked for it)
        small = fit_image(image, THUMB)
        self._thumbs[shot_id] = small
        for i in range(self.count()):
            it = self.item(i)
            if int(it.data(Qt.ItemDataRole.UserRole)) == shot_id:
                it.setData(IMAGE_ROLE, small)

    def has_thumbnail(self, shot_id: int) -> bool:
        return shot_id in self._thumbs

    def forget(self) -> None:
        """Drop cached thumbnails (a new student: keeps memory flat over a day)."""
        self._thumbs.clear()
