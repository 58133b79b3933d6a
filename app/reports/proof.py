"""Proof sheets: one A4 PDF per class in the layout of section 四 of the notice.

Each photo with, under it, the school, the major, the class and student
number, the ID number and the name, twenty to a page inside dashed cut lines,
for the school to check before the prints are made. The photo is the delivery
JPEG itself (embedded as is), so what the school checks is what is delivered.
A class's PDF is rewritten only when something on it changed.
"""

from __future__ import annotations

import hashlib
import io
import json
from collections import defaultdict
from pathlib import Path
from typing import Any

from app.delivery_plan import PROOF_DIR
from app.pdf import register_cjk_font
from capture.atomic import sha256_file, write_atomic

COLS, ROWS = 5, 4
PER_PAGE = COLS * ROWS


def _fit(text: str, font: str, size: float, width: float) -> tuple[str, float]:
    """Shrink to 4.5 pt, then cut with an ellipsis, so a long major never runs into the next photo."""
    from reportlab.pdfbase.pdfmetrics import stringWidth

    while size > 4.5 and stringWidth(text, font, size) > width:
        size -= 0.25
    if stringWidth(text, font, size) <= width:
        return text, size
    while text and stringWidth(text + "…", font, size) > width:
        text = text[:-1]
    return text + "…", size


def class_pdf(root: Path, title: str, rows: list[Any]) -> bytes:
    """The proof sheet of one class (rows: ``app.delivery_plan.Planned`` with the delivery file written)."""
    from reportlab import rl_config

    font = register_cjk_font()
    # ASCII85 costs 30 ms per photo in reportlab's pure-Python encoder and makes
    # the file 25% larger; binary streams are plain PDF. Restored afterwards.
    saved_a85, rl_config.useA85 = rl_config.useA85, 0
    try:
        return _draw(root, title, rows, font)
    finally:
        rl_config.useA85 = saved_a85


def _draw(root: Path, title: str, rows: list[Any], font: str) -> bytes:
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.units import mm
    from reportlab.pdfgen import canvas

    buf = io.BytesIO()
    # invariant: no timestamp or random id in the file, so one content gives one sha256
    c = canvas.Canvas(buf, pagesize=A4, invariant=1)
    c.setTitle(title)
    page_w, page_h = A4
    margin = 10 * mm
    header = 12 * mm
    cell_w = (page_w - 2 * margin) / COLS
    cell_h = (page_h - 2 * margin - header) / ROWS
    photo_w, photo_h = 30 * mm, 40 * mm
    pages = max(1, (len(rows) + PER_PAGE - 1) // PER_PAGE)
    for page in range(pages):
        c.setFont(font, 11)
        c.drawString(margin, page_h - margin - 6 * mm, f"{title}  照片校对单")
        c.setFont(font, 8)
        c.drawRightString(page_w - margin, page_h - margin - 6 * mm, f"共 {len(rows)} 人  第 {page + 1}/{pages} 页")
        for i, p in enumerate(rows[page * PER_PAGE : (page + 1) * PER_PAGE]):
            col, row = i % COLS, i // COLS
            x = margin + col * cell_w
            top = page_h - margin - header - row * cell_h
            c.saveState()
            c.setDash(2, 2)
            c.setLineWidth(0.3)
            c.setStrokeGray(0.6)
            c.rect(x, top - cell_h, cell_w, cell_h)  # the cut line
            c.restoreState()
            px = x + (cell_w - photo_w) / 2
            py = top - 2 * mm - photo_h
            c.drawImage(str(root / p.photo_rel), px, py, photo_w, photo_h)
            s = p.student
            lines = [s.school, s.major, f"{s.class_name} {s.student_no}", s.id_number, s.name]
            y = py - 3.4 * mm
            for j, text in enumerate(lines):
                size = 7.5 if j == len(lines) - 1 else 6.5
                fitted, size = _fit(text or "", font, size, cell_w - 2 * mm)
                c.setFont(font, size)
                c.drawCentredString(x + cell_w / 2, y, fitted)
                y -= 3.3 * mm
        c.showPage()
    c.save()
    return buf.getvalue()


def write_proof_sheets(root: Path, rows: list[Any], state: dict[str, Any]) -> int:
    """Write (or keep) one PDF per class under 校对单/; returns how many PDFs the delivery has."""
    by_class: dict[tuple[str, str, str], list[Any]] = defaultdict(list)
    folder_of: dict[tuple[str, str, str], str] = {}
    for p in rows:
        s = p.student
        key = (s.school or "学校", s.college, s.class_name)
        by_class[key].append(p)
        # the class's folder as the export named it (app.safe_names: unique per class, within 255 bytes)
        folder_of[key] = p.photo_rel.split("/", 1)[1].rsplit("/", 1)[0]
    proofs = state.setdefault("proofs", {})
    wanted = set()
    for (school, college, klass), members in by_class.items():
        rel = f"{PROOF_DIR}/{folder_of[(school, college, klass)]}.pdf"
        wanted.add(rel)
        content = json.dumps(
            [[p.photo_sha, p.student.school, p.student.major, p.student.class_name, p.student.student_no,
              p.student.id_number, p.student.name] for p in members],
            ensure_ascii=False,
        )
        digest = hashlib.sha256(content.encode("utf-8")).hexdigest()
        rec = proofs.get(rel)
        if rec and rec.get("content") == digest and sha256_file(root / rel, missing_ok=True) == rec.get("sha256"):
            continue
        data = class_pdf(root, f"{school} {college} {klass}", members)
        write_atomic(root / rel, data)
        proofs[rel] = {"content": digest, "sha256": hashlib.sha256(data).hexdigest(), "students": len(members)}
    return len(wanted)
