"""The throughput panel: the last hour against the 150–180/h target, today, and the projected finish."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QFontMetrics
from PySide6.QtWidgets import QFrame, QGridLayout, QLabel

from app.throughput import Throughput

LEVEL_STYLE = {
    "idle": "color:#555;",
    "low": "color:#b91c1c;",
    "near": "color:#b45309;",
    "ok": "color:#15803d;",
    "high": "color:#1d4ed8;",
}


class ThroughputPanel(QFrame):
    def __init__(self, parent=None):
        super().__init__(parent)
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        grid = QGridLayout(self)
        self.rate = QLabel("—")
        self.rate.setStyleSheet("font-size:34px;font-weight:bold;")
        self.rate.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.target = QLabel()
        self.target.setAlignment(Qt.AlignmentFlag.AlignCenter)
        grid.addWidget(self.rate, 0, 0, 1, 2)
        grid.addWidget(self.target, 1, 0, 1, 2)
        self._captions: list[QLabel] = []
        self.values: dict[str, QLabel] = {}
        for row, key in enumerate(("last_hour", "today", "avg", "group", "remaining", "finish"), start=2):
            cap, val = QLabel(), QLabel("—")
            cap.setStyleSheet("color:#666;")
            val.setStyleSheet("font-size:16px;font-weight:bold;")
            val.setWordWrap(True)
            if key == "group":
                # always room for two lines: a long college / class name wraps without pushing the
                # buttons below the panel down (they would jump under the photographer's mouse)
                f = val.font()
                f.setPixelSize(16)
                f.setBold(True)
                val.setFixedHeight(QFontMetrics(f).lineSpacing() * 2 + 2)
                val.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
            grid.addWidget(cap, row, 0)
            grid.addWidget(val, row, 1)
            self._captions.append(cap)
            self.values[key] = val
        self.data: Throughput | None = None
        self.retranslate()

    def retranslate(self) -> None:
        names = [self.tr("近60分钟"), self.tr("今日"), self.tr("平均每人"), self.tr("当前"),
                 self.tr("剩余"), self.tr("预计完成")]
        for cap, name in zip(self._captions, names):
            cap.setText(name)
        self.show_data(self.data)

    def show_data(self, data: Throughput | None) -> None:
        self.data = data
        if data is None:
            self.target.setText(self.tr("目标 150–180 人/小时"))
            return
        if data.rate is None:
            self.rate.setText(self.tr("— 人/小时"))
        else:
            self.rate.setText(self.tr("{rate:.0f} 人/小时").format(rate=data.rate))
        self.rate.setStyleSheet("font-size:34px;font-weight:bold;" + LEVEL_STYLE[data.level])
        self.target.setText(self.tr("目标 {low}–{high} 人/小时").format(low=data.target_low, high=data.target_high))
        v = self.values
        v["last_hour"].setText(self.tr("{n} 人").format(n=data.last_hour))
        v["today"].setText(self.tr("{n} 人").format(n=data.today))
        if data.avg_seconds is None:
            v["avg"].setText("—")
        elif data.avg_seconds < 1:  # the demo's autopilot: "0 秒" would read as a fault
            v["avg"].setText(self.tr("不到 1 秒"))
        else:
            v["avg"].setText(self.tr("{s:.0f} 秒").format(s=data.avg_seconds))
        v["group"].setText(data.group_label or "—")
        v["group"].setToolTip(data.group_label or "")
        if data.group_remaining is None:
            v["remaining"].setText("—")
        else:
            v["remaining"].setText(self.tr("{left} / {total} 人").format(left=data.group_remaining,
                                                                          total=data.group_total))
        if data.projected_finish is None:
            v["finish"].setText("—")
        elif data.group_remaining == 0:
            v["finish"].setText(self.tr("已拍完"))
        else:
            v["finish"].setText(data.projected_finish.strftime("%H:%M"))
