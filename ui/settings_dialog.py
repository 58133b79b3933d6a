"""The settings dialog: kept in the database (``app/settings.py``), like ``station config``."""

from __future__ import annotations

from pathlib import Path, PurePath
from typing import Any

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from app.calibration import measure_file
from qc.backdrop import Calibration
from ui.dialogs import add_footer
from ui.file_dialogs import existing_directory, open_file
from ui.workers import Runner

BACKENDS = ("gphoto2", "folder", "webcam")
LANGUAGES = (("zh", "中文"), ("en", "English"))


def backend_names() -> dict[str, str]:
    """What the photographer reads for each camera interface (the setting keeps the code)."""
    return {"gphoto2": QCoreApplication.translate("SettingsDialog", "相机 (USB 连接)"), "folder": QCoreApplication.translate("SettingsDialog", "热文件夹"),
            "webcam": QCoreApplication.translate("SettingsDialog", "摄像头")}


def profile_label(value: str) -> str:
    """A check profile for the eye: "默认" for default, a file by its name (its folder in the tooltip)."""
    names = {"default": QCoreApplication.translate("SettingsDialog", "默认 (通知要求)"), "blue": QCoreApplication.translate("SettingsDialog", "蓝色背景"),
             "demo": QCoreApplication.translate("SettingsDialog", "演示")}
    if value in names:
        return names[value]
    p = Path(value)
    if p.suffix == ".toml":
        stem = p.stem.replace("_profile", "")
        return names.get(stem, stem) + f" ({p.name})"
    return value


def elide_path(path: str, keep: int = 2) -> str:
    """A long path shortened in the middle, keeping its start and its last ``keep`` folders."""
    parts = PurePath(path).parts
    if len(parts) <= keep + 2:
        return path
    return str(PurePath(parts[0], parts[1], "…", *parts[-keep:]))


class SettingsDialog(QDialog):
    """Edits a dict of settings; ``changes()`` is what differs from what it was given."""

    def __init__(self, values: dict[str, Any], profiles: list[str] | None = None, parent=None):
        super().__init__(parent)
        self.setWindowTitle(self.tr("机位设置"))
        self.original = dict(values)
        lay = QVBoxLayout(self)
        form = QFormLayout()
        self.station_name = QLineEdit(str(values.get("station.name", "")))
        self.station_number = QSpinBox()
        self.station_number.setRange(1, 99)
        self.station_number.setValue(int(values.get("station.number", 1)))
        self.folder = QLineEdit(str(values.get("capture.folder", "")))
        browse = QPushButton(self.tr("选择…"))
        browse.clicked.connect(self._browse)
        row = QWidget()
        rl = QHBoxLayout(row)
        rl.setContentsMargins(0, 0, 0, 0)
        rl.addWidget(self.folder, 1)
        rl.addWidget(browse)
        self.folder.setMinimumWidth(420)
        self.folder.setToolTip(self.folder.text())
        self.folder.setCursorPosition(len(self.folder.text()))  # the end of a long path (its last folders) shows
        self.backend = QComboBox()
        for code, name in backend_names().items():
            self.backend.addItem(name, code)
        current = str(values.get("capture.backend", "gphoto2"))
        self.backend.setCurrentIndex(max(0, self.backend.findData(current)))
        self.profile = QComboBox()
        choices = list(profiles or ["default"])
        current = str(values.get("qc.profile", "default"))
        if current not in choices:
            choices.append(current)
        for value in choices:
            self.profile.addItem(profile_label(value), value)
            self.profile.setItemData(self.profile.count() - 1, value, Qt.ItemDataRole.ToolTipRole)
        self.profile.setCurrentIndex(max(0, self.profile.findData(current)))
        self.profile.setToolTip(current)
        self.low = QSpinBox()
        self.high = QSpinBox()
        for box in (self.low, self.high):
            box.setRange(10, 1000)
            box.setSuffix(self.tr(" 人/小时"))
        self.low.setValue(int(values.get("rate.target_low", 150)))
        self.high.setValue(int(values.get("rate.target_high", 180)))
        self.language = QComboBox()
        for code, name in LANGUAGES:
            self.language.addItem(name, code)
        self.language.setCurrentIndex(1 if str(values.get("language", "zh")).startswith("en") else 0)
        form.addRow(self.tr("机位名称"), self.station_name)
        form.addRow(self.tr("机位编号"), self.station_number)
        form.addRow(self.tr("照片保存文件夹"), row)
        form.addRow(self.tr("相机接口"), self.backend)
        form.addRow(self.tr("检查标准"), self.profile)
        form.addRow(self.tr("目标速度 (下限)"), self.low)
        form.addRow(self.tr("目标速度 (上限)"), self.high)
        form.addRow(self.tr("界面语言"), self.language)
        form.addRow(self.tr("背景标定"), self._backdrop_row(values))
        lay.addLayout(form)
        self.note = QLabel(self.tr("相机接口和照片文件夹在重新打开窗口后生效。"))
        self.note.setWordWrap(True)
        self.note.setStyleSheet("color:#666;")
        lay.addWidget(self.note)
        self.error = add_footer(self, lay)

    def _browse(self) -> None:
        path = existing_directory(self, self.tr("照片保存文件夹"), self.folder.text())
        if path:
            self.folder.setText(path)

    # -- the empty backdrop, measured at set-up (issue 12) ------------------------------------------
    def _backdrop_row(self, values: dict[str, Any]) -> QWidget:
        self._backdrop: dict[str, Any] | None = None  # a new calibration made in this dialog
        self._runner = None
        cal = Calibration.from_dict(values.get("qc.backdrop"))
        self.backdrop_status = QLabel(cal.summary() if cal else self.tr("未标定: 按检查标准的颜色判断背景"))
        self.backdrop_status.setWordWrap(True)
        self.calibrate_button = QPushButton(self.tr("标定背景…"))
        self.calibrate_button.setToolTip(self.tr("先拍一张空背景 (没有人), 再选择这张照片"))
        self.calibrate_button.clicked.connect(self._pick_backdrop)
        row = QWidget()
        rl = QVBoxLayout(row)
        rl.setContentsMargins(0, 0, 0, 0)
        rl.addWidget(self.backdrop_status)
        rl.addWidget(self.calibrate_button)
        return row

    def _pick_backdrop(self) -> None:
        path = open_file(self, self.tr("选择空背景的照片"), self.folder.text(),
                         self.tr("照片 (*.jpg *.jpeg *.png *.tif *.tiff)"))
        if path:
            self.calibrate_from(path)

    def calibrate_from(self, path: str) -> None:
        """Measure ``path`` in a worker (two models load); the result is saved with the other settings."""
        if self._runner is None:
            self._runner = Runner(self, threads=1)
        self.calibrate_button.setEnabled(False)
        self.backdrop_status.setText(self.tr("正在测量背景…"))
        self._runner.submit(measure_file, path, self.profile.currentData() or None,
                            on_done=self._calibrated, on_error=self._calibration_failed)

    def _calibrated(self, cal) -> None:
        self._backdrop = cal.to_dict()
        text = cal.summary() + "".join("\n" + self.tr("注意: ") + w for w in cal.warnings)
        self.backdrop_status.setText(text + "\n" + self.tr("按确定保存"))
        self.calibrate_button.setEnabled(True)

    def _calibration_failed(self, exc) -> None:
        self.backdrop_status.setText(getattr(exc, "zh", None) or str(exc))
        self.calibrate_button.setEnabled(True)

    def _check(self) -> None:
        if not self.station_name.text().strip():
            self.error.setText(self.tr("请填写机位名称"))
            return
        if not self.folder.text().strip():
            self.error.setText(self.tr("请填写照片保存文件夹"))
            return
        if self.low.value() > self.high.value():
            self.error.setText(self.tr("目标速度下限不能高于上限"))
            return
        self.accept()

    def values(self) -> dict[str, Any]:
        return {
            "station.name": self.station_name.text().strip(),
            "station.number": self.station_number.value(),
            "capture.folder": self.folder.text().strip(),
            "capture.backend": self.backend.currentData(),
            "qc.profile": self.profile.currentData() or "default",
            "rate.target_low": self.low.value(),
            "rate.target_high": self.high.value(),
            "language": self.language.currentData(),
            **({"qc.backdrop": self._backdrop} if self._backdrop is not None else {}),
        }

    def changes(self) -> dict[str, Any]:
        return {k: v for k, v in self.values().items() if self.original.get(k) != v}
