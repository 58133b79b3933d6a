"""The arrows of docs/architecture.md hold by contract: ui -> app -> (capture | qc).

``[tool.importlinter]`` in pyproject.toml states them; ``lint-imports`` checks every
import of the four packages (those inside functions too). ``capture`` and ``qc``
import neither ``app`` nor ``ui`` nor each other; ``app`` never imports ``ui`` (the
window launchers live in ui/ and are registered in app/cli.py by module name).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("app", "capture", "qc", "ui")

pytest.importorskip("importlinter", reason="import-linter is in the test extra (pip install -e .[test])")


def lint_imports(root: Path) -> subprocess.CompletedProcess:
    """Run import-linter on the packages under ``root`` with ``root``'s pyproject.toml (no cache files)."""
    code = "import sys; from importlinter.cli import lint_imports; sys.exit(lint_imports(no_cache=True, no_logo=True))"
    env = {**os.environ, "PYTHONPATH": str(root)}
    return subprocess.run([sys.executable, "-c", code], cwd=root, env=env, capture_output=True, text=True, timeout=300)


def copy_packages(dest: Path) -> Path:
    """The four packages' Python files and pyproject.toml, copied to ``dest`` (to break an arrow there)."""
    for pkg in PACKAGES:
        for src in (ROOT / pkg).rglob("*.py"):
            target = dest / src.relative_to(ROOT)
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(src, target)
    shutil.copyfile(ROOT / "pyproject.toml", dest / "pyproject.toml")
    return dest


def test_import_contracts_hold():
    r = lint_imports(ROOT)
    assert r.returncode == 0, r.stdout + r.stderr
    assert re.search(r"1 kept, 0 broken", r.stdout), r.stdout


@pytest.mark.parametrize(
    "module, line, arrow",
    [
        ("app/marshal.py", "def _probe():\n    import ui.app  # noqa\n", "app is not allowed to import ui"),
        ("capture/virtual.py", "from app.i18n import t  # noqa\n", "capture is not allowed to import app"),
        ("qc/crop.py", "def _probe():\n    from capture import base  # noqa\n", "qc is not allowed to import capture"),
    ],
)
def test_an_arrow_added_back_breaks_the_contract(tmp_path, module, line, arrow):
    """The contract bites: one import against the arrows (inside a function too) fails the check."""
    root = copy_packages(tmp_path)
    with open(root / module, "a", encoding="utf-8") as fh:
        fh.write("\n\n" + line)
    r = lint_imports(root)
    assert r.returncode != 0, r.stdout
    assert "BROKEN" in r.stdout and arrow in r.stdout, r.stdout


def test_no_source_line_imports_against_the_arrows():
    """The same rule as a grep, readable without import-linter: no `from app`/`import app` in
    capture/ or qc/, no `from ui`/`import ui` in app/."""
    bad = {
        "capture": r"^\s*(from|import)\s+(app|ui|qc)\b",
        "qc": r"^\s*(from|import)\s+(app|ui|capture)\b",
        "app": r"^\s*(from|import)\s+ui\b",
    }
    offenders = [
        f"{p.relative_to(ROOT)}:{n}"
        for pkg, pat in bad.items()
        for p in (ROOT / pkg).rglob("*.py")
        for n, text in enumerate(p.read_text(encoding="utf-8").splitlines(), 1)
        if re.match(pat, text)
    ]
    assert offenders == []
