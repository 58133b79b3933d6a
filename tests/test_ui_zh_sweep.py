"""Every window and dialog in zh_CN: no visible English word that is not a name, a number or a code.

The real windows offscreen, in Chinese, with Qt's own translations loaded (OK/Cancel, the file
dialog, a text field's right-click menu). Each window's visible texts are read from its widgets
(labels, buttons, fields' placeholders, list and table cells and headers, combo box entries,
menus, titles) and from what the photo view paints; each is screenshot into a folder
(``STATION_SCREENSHOTS_DIR``, e.g. docs/screenshots/zh).
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QComboBox,
    QGroupBox,
    QLabel,
    QLineEdit,
    QListWidget,
    QMainWindow,
    QMenu,
    QTabBar,
    QTreeWidget,
    QTableWidget,
    QWidget,
)
from PySide6.QtCore import Qt

WAIT_MS = 30_000

# Names (makers, the virtual camera's model), codes (keys, units, formats, the profile's short name):
# allowed wherever they appear. Everything else in ASCII letters is an English word the user sees.
NAMES = {Path.home().name, "Nikon", "Canon", "Sony", "Fujifilm", "DSC", "D750", "EOS", "Panasonic", "Olympus", "English"}
CODES = {"Ctrl", "Alt", "Shift", "Esc", "Tab", "Enter", "Space", "USB", "EXIF", "ISO", "QR", "PDF", "JPEG",
         "JPG", "xlsx", "xls", "csv", "zip", "MB", "GB", "KB", "ms", "mm", "s", "f", "ID", "demo", "Excel",
         "PostgreSQL", "SQLite", "LAN", "Wi-Fi", "WiFi", "AES", "sRGB", "RGB", "Adobe", "A4", "PNG", "URL",
         "station", "roster", "import", "merge", "gio", "mount", "gphoto2"}  # the last: commands quoted for copying
WORD = re.compile(r"[A-Za-z][A-Za-z0-9\-]*")
SKIP_CHUNK = re.compile(r"[/\\~]|^\w+\.\w{2,4}$|_|@|://")  # paths, file names, identifiers, addresses


def english_words(text: str) -> list[str]:
    out = []
    text = re.sub(r"<[^>]+>", " ", text)  # rich text tags
    text = re.sub(r"&(?=\w)", "", text)  # mnemonics
    for chunk in text.split():
        if SKIP_CHUNK.search(chunk):
            continue
        for w in WORD.findall(chunk):
            if w in NAMES or w in CODES or re.fullmatch(r"[A-Z]\d{0,2}|[A-Z]{1,2}\d+|\d+\w*", w):
                continue
            out.append(w)
    return out


def texts_of(root: QWidget) -> list[str]:
    """What a user can read in ``root`` and its visible children."""
    out = [root.windowTitle()]
    widgets = [root, *root.findChildren(QWidget)]
    for w in widgets:
        if w is not root and not w.isVisibleTo(root):
            continue
        if isinstance(w, QLabel):
            out.append(w.text())
        elif isinstance(w, QAbstractButton):
            out.append(w.text())
            out.append(w.toolTip())
        elif isinstance(w, QLineEdit):
            out.append(w.placeholderText())
            if w.isReadOnly():
                out.append(w.text())
        elif isinstance(w, QComboBox):
            out += [w.itemText(i) for i in range(w.count())]
        elif isinstance(w, QGroupBox):
            out.append(w.title())
        elif isinstance(w, QTabBar):
            out += [w.tabText(i) for i in range(w.count())]
        if isinstance(w, QListWidget):
            out += [w.item(i).text() for i in range(w.count())]
        elif isinstance(w, QTreeWidget):
            h = w.headerItem()
            out += [h.text(i) for i in range(h.columnCount())]
            it = w.invisibleRootItem()
            stack = [it.child(i) for i in range(it.childCount())]
            while stack:
                x = stack.pop()
                out += [x.text(i) for i in range(x.columnCount())]
                stack += [x.child(i) for i in range(x.childCount())]
        elif isinstance(w, QTableWidget):
            out += [w.horizontalHeaderItem(i).text() for i in range(w.columnCount()) if w.horizontalHeaderItem(i)]
            out += [w.item(r, c).text() for r in range(w.rowCount()) for c in range(w.columnCount()) if w.item(r, c)]
        elif isinstance(w, QAbstractItemView) and w.model() is not None:
            m = w.model()
            shown = [c for c in range(m.columnCount())
                     if not (hasattr(w, "isColumnHidden") and w.isColumnHidden(c))]
            out += [str(m.headerData(c, Qt.Orientation.Horizontal) or "") for c in shown]
            root_index = w.rootIndex()  # what the view shows (a file view shows a folder, not the model's top)
            out += [str(m.index(r, c, root_index).data() or "") for r in range(min(m.rowCount(root_index), 50))
                    for c in shown]
    if isinstance(root, QMainWindow):
        for menu in root.menuBar().findChildren(QMenu):
            out.append(menu.title())
            out += [a.text() for a in menu.actions()]
    return [t for t in out if t]


def menu_texts(menu: QMenu) -> list[str]:
    return [a.text() for a in menu.actions() if not a.isSeparator()]


SHOTS = Path(os.environ.get("STATION_SCREENSHOTS_DIR", "")) if os.environ.get("STATION_SCREENSHOTS_DIR") else None


class Sweep:
    def __init__(self, tmp: Path):
        self.found: dict[str, list[str]] = {}
        self.seen: list[str] = []
        self.folder = SHOTS or tmp

    def check(self, name: str, widget: QWidget | None = None, texts: list[str] | None = None) -> None:
        texts = list(texts or []) + (texts_of(widget) if widget is not None else [])
        bad = sorted({w for t in texts for w in english_words(t)})
        if bad:
            self.found[name] = bad
        self.seen.append(name)
        if widget is not None:
            self.folder.mkdir(parents=True, exist_ok=True)
            widget.grab().save(str(self.folder / f"zh_{name}.png"))


def test_english_words_are_found_and_names_codes_paths_are_not():
    assert english_words("OK") == ["OK"] and english_words("&Cancel") == ["Cancel"]
    assert english_words("Save As") == ["Save", "As"]
    assert english_words("相机已连接: Nikon DSC D750, 存储卡剩余 530 MB") == []
    assert english_words("F2 名单外学生 · Ctrl+, 设置 · 1/125 s f/8 ISO 200 85 mm") == []
    assert english_words("/home/a/captures/2026-05-15 demo_profile.toml") == []
    assert english_words("gphoto2") == [] and english_words("default") == ["default"]


@pytest.fixture
def shot_window(qtbot, make_window, import_demo_roster):
    """The photographer's window with a failing shot on screen and its verdict drawn."""
    from sqlalchemy import select

    from app.models import Student

    db, _ = import_demo_roster(n=40, seed=5)
    win = make_window(db, portrait="fail", wait_qc=True)
    with db.session() as s:
        code = s.scalar(select(Student.id_number).where(Student.has_error.is_(False)).order_by(Student.roster_order))
    qtbot.keyClicks(win.input, code)
    qtbot.keyClick(win.input, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: win.state == "student", timeout=WAIT_MS)
    qtbot.keyClick(win.input, Qt.Key.Key_Space)
    qtbot.waitUntil(lambda: win.state == "verdict" and win.photo.has_image, timeout=WAIT_MS)
    return db, win


def test_every_window_and_dialog_speaks_chinese(qtbot, shot_window, tmp_path):
    from PySide6.QtWidgets import QMessageBox

    from ui import file_dialogs
    from ui.dialogs import DataIssueDialog, UnlistedDialog
    from app.window_services import SettingsService
    from ui.settings_dialog import SettingsDialog

    db, win = shot_window
    sweep = Sweep(tmp_path)
    ov = win.photo.overlay
    qtbot.waitUntil(lambda: win.photo.info is not None, timeout=WAIT_MS)
    painted = [ov.title, ov.hint, ov.footnote, *[t for _v, t, _b in ov.marks], win.photo._corner]
    sweep.check("window_verdict", win, painted)
    # zoomed to 100 % (camera pixels) and two takes side by side
    win.photo.zoom_to(1.0)
    qtbot.waitUntil(lambda: win.photo.full_resolution, timeout=WAIT_MS)
    sweep.check("window_zoom", win, [win.tr("{pct}% · Z 返回全图 · 拖动平移").format(pct=100)])
    win.photo.zoom_to(None)
    qtbot.keyClick(win.input, Qt.Key.Key_Space)  # a second take
    qtbot.waitUntil(lambda: win.state == "verdict" and len(win.strip.shots) == 2, timeout=WAIT_MS)
    win.toggle_compare()
    qtbot.waitUntil(lambda: win.photo.comparing and all(p.image is not None for p in win.photo._compare),
                    timeout=WAIT_MS)
    sweep.check("window_compare", win, [p.overlay.title + p.overlay.hint for p in win.photo._compare])
    win.toggle_compare()
    for key, menu in win.menus.menus.items():
        sweep.check(f"menu_{key}", None, [menu.title(), *menu_texts(menu)])

    # the text field's right-click menu is Qt's own
    menu = win.input.createStandardContextMenu()
    sweep.check("input_context_menu", None, menu_texts(menu))
    assert any("粘贴" in t for t in menu_texts(menu))

    dialogs = [
        ("settings", SettingsDialog(SettingsService(db).all(), parent=win)),
        ("unlisted", UnlistedDialog("2099000123", win)),
        ("data_issue", DataIssueDialog(win.card.name, win)),
    ]
    box = QMessageBox(QMessageBox.Icon.Question, win.tr("仍在进行"), win.tr("确定退出?"),
                      QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No, win)
    dialogs.append(("quit_question", box))
    for mode in ("dir", "open", "save"):
        dialogs.append((f"file_{mode}", file_dialogs.make(win, win.tr("保存为"), mode, str(tmp_path),
                                                           "Excel (*.xlsx)")))
    for name, dlg in dialogs:
        dlg.show()
        qtbot.waitExposed(dlg)
        sweep.check(name, dlg)
        dlg.close()

    # the windows the menus open (not modal)
    for name, opener in (("report_reconcile", lambda: win.menus.open_report("reconcile")),
                         ("report_errata", lambda: win.menus.open_report("errata")),
                         ("delivery", lambda: win.menus.open_report("delivery")),
                         ("roster_import", win.menus.open_roster_import),
                         ("waiting", win.menus.open_waiting)):
        dlg = opener()
        qtbot.waitExposed(dlg)
        qtbot.wait(300)
        sweep.check(name, dlg)
        dlg.close()
    marshal = win.menus.open_marshal()
    qtbot.waitExposed(marshal)
    qtbot.waitUntil(lambda: getattr(marshal, "view", None) is not None, timeout=WAIT_MS)
    sweep.check("marshal", marshal)
    from ui.marshal_window import AbsenceDialog

    student = next(s for c in marshal.view.snap.classes for s in c.students)
    absence = AbsenceDialog(student, marshal)
    absence.show()
    sweep.check("marshal_absence", absence)
    absence.close()
    marshal.close()
    assert not sweep.found, "English in the Chinese window: " + repr(sweep.found)
    assert len(sweep.seen) >= 18
