"""The close-up beside the photo when a hair/glasses/jewellery check is unsure (issue 12, item 5).

When ``ears_visible``, ``eyebrows_visible``, ``glasses`` or ``jewelry`` warn or
fail on the shot in front of the photographer, this panel shows the brow line
and both ears enlarged, cropped from the full-resolution file in a worker
(``app.qc_review.closeup_for_shot``), with the checks' sentences. One key
confirms the checks (F11: 检查无误), one overrules them (F12: 检查有误); the
answer is recorded with the shot in a worker (``app.qc_review.record_review``)
and counted by ``station qc-eval --overrides``. The panel follows the
controller's signals itself, so the window only places it.
"""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QImage, QKeySequence, QPixmap, QShortcut
from PySide6.QtWidgets import QGridLayout, QLabel, QVBoxLayout, QWidget

from app.qc_review import CLOSEUP_CHECKS, closeup_for_shot, record_review
from qc.checks import TITLES

CONFIRM_KEY, OVERRULE_KEY = "F11", "F12"  # F8-F10 are the marshal window's (never the same key, two meanings)
DECISION_TEXT = {"confirm": "已确认: 检查结果正确", "overrule": "已推翻: 检查结果有误"}


def to_qimage(rgb: np.ndarray) -> QImage:
    rgb = np.ascontiguousarray(rgb)
    h, w = rgb.shape[:2]
    return QImage(rgb.data, w, h, 3 * w, QImage.Format.Format_RGB888).copy()


class CloseupPanel(QWidget):
    """Brow line above, the two ears below; hidden unless a close-up check is unsure."""

    WIDTH = 250

    def __init__(self, controller, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctl = controller
        self.shot_id: int | None = None
        self.view = None  # app.qc_review.CloseupView on show
        self.decision: str | None = None
        self.setFixedWidth(self.WIDTH)
        self.setStyleSheet("CloseupPanel{background:#1b1e22;} QLabel{color:#ddd;}")
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(6, 6, 6, 6)
        self.title = QLabel()
        self.title.setWordWrap(True)
        self.title.setStyleSheet("font-size:16px;font-weight:bold;color:#ffd166;")
        self.reasons = QLabel()
        self.reasons.setWordWrap(True)
        lay.addWidget(self.title)
        lay.addWidget(self.reasons)
        grid = QGridLayout()
        self.images: dict[str, QLabel] = {}
        for label, (r, c, span) in {"brows": (0, 0, 2), "left_ear": (1, 0, 1), "right_ear": (1, 1, 1)}.items():
            im = QLabel()
            im.setAlignment(Qt.AlignmentFlag.AlignCenter)
            im.setStyleSheet("background:#000;border:1px solid #444;")
            grid.addWidget(im, r, c, 1, span)
            self.images[label] = im
        lay.addLayout(grid, 1)
        self.keys = QLabel()
        self.keys.setWordWrap(True)
        self.keys.setStyleSheet("font-size:15px;")
        self.answer = QLabel()
        self.answer.setWordWrap(True)
        lay.addWidget(self.keys)
        lay.addWidget(self.answer)
        win = parent.window() if parent is not None else self
        self.shortcuts = [QShortcut(QKeySequence(CONFIRM_KEY), win, activated=lambda: self.decide("confirm")),
                          QShortcut(QKeySequence(OVERRULE_KEY), win, activated=lambda: self.decide("overrule"))]
        for sc in self.shortcuts:
            sc.setEnabled(False)
        c = controller
        c.shot_checked.connect(self.show_for)
        for sig in (c.retaken, c.accepted, c.identified):
            sig.connect(lambda *_: self.clear())
        c.cleared.connect(self.clear)
        c.view.connect(self._on_view)
        self.hide()

    def _on_view(self, v) -> None:
        """The shot sequence moved on (a retake, the next student, Esc): the close-up goes with its shot."""
        if self.shot_id is None:
            return
        mine = {x.id for x in (v.shot, v.viewed) if x is not None}
        if self.shot_id not in mine:
            self.clear()

    # -- showing -------------------------------------------------------------------------------
    def show_for(self, shot) -> None:
        """A shot's verdict arrived (``ShotInfo``): fetch the close-up when a close-up check is unsure."""
        unsure = [c for c in shot.checks if c.name in CLOSEUP_CHECKS and c.verdict in ("warn", "fail")]
        if not unsure or shot.student_id is None:
            self.clear()
            return
        self.shot_id = shot.id
        self.ctl.runner.submit(self._load, shot.id, on_done=self._loaded, on_error=lambda _e: self.clear())

    def _load(self, shot_id: int):
        return closeup_for_shot(self.ctl.workflow.db, shot_id)

    def _loaded(self, view) -> None:
        if view is None or view.shot_id != self.shot_id:
            return
        self.view, self.decision = view, view.decision
        names = "、".join(TITLES.get(n, (n, n))[0] for n, *_ in view.checks)
        self.title.setText(self.tr("请核对 (放大): {names}").format(names=names))
        self.reasons.setText("\n".join(f"• {zh}" for _n, _v, zh, _en in view.checks if zh))
        side = (self.WIDTH - 24) // 2
        sizes = {"brows": QSize(self.WIDTH - 16, 150), "left_ear": QSize(side, 220), "right_ear": QSize(side, 220)}
        for label, im in self.images.items():
            crop = view.crops.get(label)
            if crop is None:
                im.clear()
                continue
            pm = QPixmap.fromImage(to_qimage(crop)).scaled(sizes[label], Qt.AspectRatioMode.KeepAspectRatio,
                                                           Qt.TransformationMode.SmoothTransformation)
            im.setPixmap(pm)
            im.setMinimumSize(sizes[label])
        self.keys.setText(self.tr("{a} 检查无误 · {b} 检查有误 (推翻)").format(a=CONFIRM_KEY, b=OVERRULE_KEY))
        self._show_answer()
        for sc in self.shortcuts:
            sc.setEnabled(True)
        self.show()

    def _show_answer(self) -> None:
        self.answer.setText(self.tr(DECISION_TEXT[self.decision]) if self.decision else "")
        self.answer.setStyleSheet("color:#7bd389;font-size:15px;" if self.decision else "")

    def clear(self) -> None:
        self.shot_id, self.view, self.decision = None, None, None
        for sc in self.shortcuts:
            sc.setEnabled(False)
        self.hide()

    # -- answering -----------------------------------------------------------------------------
    def decide(self, decision: str) -> None:
        """Record confirm/overrule for the shot shown (a worker writes it)."""
        if self.view is None or not self.isVisible():
            return
        shot_id = self.view.shot_id

        def done(_names) -> None:
            if self.view is not None and self.view.shot_id == shot_id:
                self.decision = decision
                self._show_answer()

        self.ctl.runner.submit(record_review, self.ctl.workflow.db, shot_id, decision, on_done=done,
                               on_error=lambda e: self.answer.setText(self.tr("记录失败: {e}").format(e=e)))
