"""`station qc` and `station qc-eval`: the photo checks from the command line (parser: qc_cmd.py).

The commands live in ``app`` (they read the ``qc.profile`` setting and the override records from
the database); ``qc/`` keeps the pure functions and imports nothing from ``app``. This module is
imported only when one of the two subcommands runs (mediapipe itself loads when the checker is built).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from app import i18n, settings
from app.cli import open_db as open_args_db
from app.db import open_db, resolve_url
from app.errors import StationError
from app.qc_review import format_overrides, override_stats
from qc.checker import Checker
from qc.checks import TITLES
from qc.evaluate import evaluate, fold_stats, format_folds, format_table
from qc.profile import ProfileError

IMAGE_EXTS = {".jpg", ".jpeg", ".png", ".tif", ".tiff", ".bmp", ".webp", ".heic"}


def _expand(paths: list[str]) -> list[Path]:
    out: list[Path] = []
    for s in paths:
        p = Path(s)
        if p.is_dir():
            out.extend(sorted(x for x in p.iterdir() if x.suffix.lower() in IMAGE_EXTS))
        else:
            out.append(p)  # missing or unreadable files get an "error" line of their own
    return out


def _profile_name(args: argparse.Namespace) -> str | None:
    if args.profile:
        return args.profile
    try:  # the station's setting, when its database exists; the default profile otherwise
        url = resolve_url(getattr(args, "db", None))
        if url.startswith("sqlite:///") and not Path(url[len("sqlite:///"):]).exists():
            return None  # checking photos must not create a station database as a side effect
        if "://" not in url and not Path(url).exists():
            return None
        db = open_db(url)
        try:
            with db.session() as s:
                return str(settings.get(s, "qc.profile"))
        finally:
            db.dispose()
    except Exception:
        return None


def _make_checker(profile: str | None) -> Checker:
    try:
        return Checker(profile)
    except ProfileError as exc:
        raise StationError(str(exc), exit_code=2) from None
    except ImportError as exc:
        raise StationError(f"照片检查组件未安装 / the photo-check models are not installed: {exc}", exit_code=3) from None


def run_qc(args: argparse.Namespace) -> int:
    if args.lang:
        i18n.set_language(args.lang)
    lang = i18n.language()
    checker = _make_checker(_profile_name(args))
    # Scripts and pipes get the JSON lines the issue specifies; a person at a terminal gets text.
    as_json = args.json or (not args.text and not sys.stdout.isatty())
    try:
        for path in _expand(args.images):
            report = checker.check_path(path)
            if as_json:
                print(json.dumps(report.to_dict(lang), ensure_ascii=False), flush=True)
            else:
                print(_human(report, lang), flush=True)
    finally:
        checker.close()
    return 0


_VERDICT_WORDS = {
    "pass": ("合格", "pass"), "warn": ("注意", "warn"), "fail": ("不合格", "FAIL"), "error": ("无法检查", "ERROR"),
}


def _human(report, lang: str) -> str:
    en = lang == "en"
    word = _VERDICT_WORDS[report.verdict][1 if en else 0]
    head = f"{report.path}: {word} ({report.ms:.0f} ms)"
    if report.verdict == "error":
        return f"{head}\n  {(report.error_en if en and report.error_en else report.error)}"
    lines = [head]
    for name, res in report.checks.items():
        if res.verdict in ("fail", "warn"):
            title = TITLES.get(name, (name, name))[1 if en else 0]
            reason = res.reason_en if en and res.reason_en else res.reason
            lines.append(f"  {_VERDICT_WORDS[res.verdict][1 if en else 0]} {title}: {reason}")
    return "\n".join(lines)


def run_eval(args: argparse.Namespace) -> int:
    if args.overrides:
        return _run_overrides(args)
    if not args.folder:
        raise StationError("请给出照片文件夹 / give a folder of photos (or --overrides)", exit_code=2)
    folder = Path(args.folder)
    if not folder.is_dir():
        raise StationError(f"找不到文件夹 / no such folder: {folder}", exit_code=2)
    labels = Path(args.labels) if args.labels else None
    if labels is not None and not labels.is_file():
        raise StationError(f"找不到标注文件 / no such labels file: {labels}", exit_code=2)
    checker = _make_checker(_profile_name(args))

    def progress(i: int, n: int, name: str, report) -> None:
        if sys.stderr.isatty():
            print(f"\r{i}/{n} {name[:40]:<40}", end="", file=sys.stderr, flush=True)

    try:
        try:
            result = evaluate(folder, labels, checker, progress=progress)
        except ValueError as exc:
            raise StationError(str(exc), exit_code=2) from None
    finally:
        checker.close()
    if sys.stderr.isatty():
        print(file=sys.stderr)
    folds = getattr(args, "folds", 0) or 0
    if args.json:
        d = result.to_dict()
        if folds > 1:
            d["folds"] = [{n: st.to_dict() for n, st in fs.items()} for fs in fold_stats(result, folds)]
        print(json.dumps(d, ensure_ascii=False, indent=1))
    else:
        print(format_table(result, show_wrong=args.show_wrong))
        if folds > 1:
            print()
            print(format_folds(result, folds))
    return 0


def _run_overrides(args: argparse.Namespace) -> int:
    db = open_args_db(args)
    try:
        stats = override_stats(db)
    finally:
        db.dispose()
    if args.json:
        print(json.dumps([st.to_dict() for st in stats], ensure_ascii=False, indent=1))
    else:
        print(format_overrides(stats))
    return 0
