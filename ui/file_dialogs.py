"""File and folder choosers: Qt's own dialog, so it speaks the station's language.

The desktop's native dialog (GTK portal, KDE) follows the system's locale, and a
station laptop set up in English would show an English Save-as in the Chinese
window. Qt's widget dialog is translated by qtbase_zh_CN (loaded in ui/qt_app.py).
"""

from __future__ import annotations

from PySide6.QtWidgets import QFileDialog

OPTIONS = QFileDialog.Option.DontUseNativeDialog


def make(parent, title: str, mode: str, start: str = "", filt: str = "") -> QFileDialog:
    """Qt's file dialog for ``mode`` ("dir", "open", "save"), every label in the window's language.

    qtbase_zh_CN leaves two of the dialog's labels in English ("Look in:", "Files of type:"):
    they are set here, like the buttons.
    """
    from PySide6.QtCore import QCoreApplication

    dlg = QFileDialog(parent, title, start, filt)
    dlg.setOptions(OPTIONS | (QFileDialog.Option.ShowDirsOnly if mode == "dir" else QFileDialog.Option(0)))
    if mode == "dir":
        dlg.setFileMode(QFileDialog.FileMode.Directory)
        dlg.setLabelText(QFileDialog.DialogLabel.Accept, QCoreApplication.translate("FileDialogs", "选择"))
    elif mode == "save":
        dlg.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
        dlg.setLabelText(QFileDialog.DialogLabel.Accept, QCoreApplication.translate("FileDialogs", "保存"))
    else:
        dlg.setFileMode(QFileDialog.FileMode.ExistingFile)
        dlg.setLabelText(QFileDialog.DialogLabel.Accept, QCoreApplication.translate("FileDialogs", "打开"))
    dlg.setLabelText(QFileDialog.DialogLabel.LookIn, QCoreApplication.translate("FileDialogs", "位置:"))
    dlg.setLabelText(QFileDialog.DialogLabel.FileName, QCoreApplication.translate("FileDialogs", "文件名:") if mode != "dir"
                     else QCoreApplication.translate("FileDialogs", "文件夹:"))
    dlg.setLabelText(QFileDialog.DialogLabel.FileType, QCoreApplication.translate("FileDialogs", "文件类型:"))
    dlg.setLabelText(QFileDialog.DialogLabel.Reject, QCoreApplication.translate("FileDialogs", "取消"))
    return dlg


def _run(dlg: QFileDialog) -> str:
    if dlg.exec() == QFileDialog.DialogCode.Accepted and dlg.selectedFiles():
        return dlg.selectedFiles()[0]
    return ""


def existing_directory(parent, title: str, start: str = "") -> str:
    return _run(make(parent, title, "dir", start))


def open_file(parent, title: str, start: str = "", filt: str = "") -> str:
    return _run(make(parent, title, "open", start, filt))


def save_file(parent, title: str, start: str = "", filt: str = "") -> str:
    return _run(make(parent, title, "save", start, filt))
