"""The photographer's window's panels: where each widget sits (the window's behaviour is ui/main_window.py).

Left: the input field, the message, the candidates, the student's card and the
recent students; middle: the photo (with the close-up beside it) and the shot
strip; right: the throughput panel, the buttons, the camera's and the checks'
state. The widgets become attributes of the window (``win.photo``, ``win.input``...).
"""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from ui.closeup import CloseupPanel
from ui.photo_view import PhotoView
from ui.scan_input import ScanLineEdit
from ui.shot_strip import ShotStrip
from ui.student_card import Banner, CandidateList, RecentList, StudentCardView
from ui.throughput_panel import ThroughputPanel


def build_main_window(win) -> None:
    """Make the window's widgets and lay them out (no signal is connected here)."""
    root = QWidget()
    outer = QVBoxLayout(root)
    outer.setContentsMargins(8, 8, 8, 8)
    win.banner = Banner()
    outer.addWidget(win.banner)
    win.notice = Banner()  # the start-up check's findings, photos waiting for a student
    win.notice.setTextFormat(Qt.TextFormat.RichText)
    win.notice.setTextInteractionFlags(Qt.TextInteractionFlag.LinksAccessibleByMouse)
    win.notice.setFocusPolicy(Qt.FocusPolicy.NoFocus)
    outer.addWidget(win.notice)
    row = QHBoxLayout()
    outer.addLayout(row, 1)

    left = QVBoxLayout()
    win.input = ScanLineEdit()
    win.input.setStyleSheet("font-size:26px;padding:8px;")
    win.message = QLabel()
    win.message.setWordWrap(True)
    win.message.setMinimumHeight(48)
    win.candidates = CandidateList()
    win.candidates.setMaximumHeight(220)
    win.candidates.hide()
    win.card_view = StudentCardView()
    win.recent_label = QLabel()
    win.recent_label.setStyleSheet("color:#666;")
    win.recent = RecentList()
    win.recent.setMaximumHeight(210)
    left.addWidget(win.input)
    left.addWidget(win.message)
    left.addWidget(win.candidates)
    left.addWidget(win.card_view, 1)
    left.addWidget(win.recent_label)
    left.addWidget(win.recent)
    lw = QWidget()
    lw.setLayout(left)
    lw.setFixedWidth(400)
    row.addWidget(lw)

    mid = QVBoxLayout()
    win.photo = PhotoView()
    win.strip = ShotStrip()
    win.strip.setStyleSheet("QListWidget{background:#1b1e22;color:#ddd;border:none;}")
    # ears and brows enlarged when a check is unsure (issue 12)
    win.closeup, photo_row = CloseupPanel(win.ctl, win), QHBoxLayout()
    photo_row.addWidget(win.photo, 1)
    photo_row.addWidget(win.closeup)
    mid.addLayout(photo_row, 1)
    mid.addWidget(win.strip)
    row.addLayout(mid, 1)

    right = QVBoxLayout()
    win.throughput = ThroughputPanel()
    right.addWidget(win.throughput)
    win.buttons: dict[str, QPushButton] = {}
    for key in ("shoot", "accept", "retake", "select", "unlisted", "settings"):
        b = QPushButton()
        b.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        b.setMinimumHeight(40)
        right.addWidget(b)
        win.buttons[key] = b
    win.reasons = QLabel()
    win.reasons.setWordWrap(True)
    right.addWidget(win.reasons)
    right.addStretch(1)
    win.camera_label = QLabel()
    win.camera_label.setWordWrap(True)
    win.qc_label = QLabel()
    right.addWidget(win.camera_label)
    win.site_label = QLabel()  # site mode: synced / offline and how much waits
    win.site_label.setWordWrap(True)
    win.site_label.setVisible(False)
    right.addWidget(win.site_label)
    right.addWidget(win.qc_label)
    rw = QWidget()
    rw.setLayout(right)
    rw.setFixedWidth(280)
    row.addWidget(rw)
    win.setCentralWidget(root)
    win._msg_timer = QTimer(win)
    win._msg_timer.setSingleShot(True)
    win._msg_timer.timeout.connect(lambda: win.message.setText(""))
