"""`station qc` and `station qc-eval`: the photo checks from the command line.

    station qc IMG_0001.JPG IMG_0002.JPG [--profile P] [--json]
    station qc-eval ../shared/faces/images --labels ../shared/faces/labels.csv

The commands live in ``app`` (they read the ``qc.profile`` setting and the
override records from the database); ``qc/`` keeps the pure functions and
imports nothing from ``app``. Only the standard library is imported here; the
checker (mediapipe, OpenCV) loads inside the handlers.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

IMAGE_EXTS = {".jpg", ".jpeg", ".png", ".tif", ".tiff", ".bmp", ".webp", ".heic"}


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("qc", help="照片检查 / check photos",
                       description="检查照片是否符合采集要求 / check photos against the profile's rules")
    p.add_argument("images", nargs="+", metavar="IMAGE", help="照片文件或文件夹 / photo files or folders")
    p.add_argument("--profile", metavar="P", help="检查配置名称或 .toml 路径 (default: the qc.profile setting)")
    p.add_argument("--json", action="store_true",
                   help="每张照片输出一行 JSON (输出不是终端时默认) / one JSON object per line "
                        "(the default when stdout is not a terminal)")
    p.add_argument("--text", action="store_true", help="可读文字输出 / readable text even in a pipe")
    p.add_argument("--lang", choices=("zh", "en"), help="原因的语言 / language of the reasons")
    p.set_defaults(func=run_qc)

    e = sub.add_parser("qc-eval", help="检查准确率评估 / evaluate the checks on a labelled folder",
                       description="在带标注的照片文件夹上评估各项检查 / precision, recall, F1, false rejects, latency")
    e.add_argument("folder", metavar="DIR", nargs="?", help="照片文件夹 / folder of photos")
    e.add_argument("--labels", metavar="CSV", help="标注文件 / labels CSV (column 'file' + label columns)")
    e.add_argument("--profile", metavar="P", help="检查配置 / profile name or path")
    e.add_argument("--json", action="store_true", help="输出 JSON / print the figures as JSON")
    e.add_argument("--show-wrong", action="store_true", help="列出判断与标注不符的照片 / list disagreeing files")
    e.add_argument("--overrides", action="store_true",
                   help="摄影师在特写中确认/推翻各项检查的次数 (本机数据库) / how often photographers "
                        "confirmed or overruled each unsure check in the close-up (this station's database)")
    e.add_argument("--folds", type=int, default=0, metavar="K",
                   help="按人分折 (标注的 person 列) / also report K person-disjoint folds (labels' person column)")
    e.set_defaults(func=run_eval)


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
        from app import settings
        from app.db import open_db, resolve_url

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


def _make_checker(profile: str | None):
    from app.errors import StationError
    from qc.profile import ProfileError

    try:
        from qc.checker import Checker

        return Checker(profile)
    except ProfileError as exc:
        raise StationError(str(exc), exit_code=2) from None
    except ImportError as exc:
        raise StationError(f"照片检查组件未安装 / the photo-check models are not installed: {exc}", exit_code=3) from None


def run_qc(args: argparse.Namespace) -> int:
    from app import i18n

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
    from qc.checks import TITLES

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
    from app.errors import StationError
    from qc.evaluate import evaluate, format_table

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
            from qc.evaluate import fold_stats
            d["folds"] = [{n: st.to_dict() for n, st in fs.items()} for fs in fold_stats(result, folds)]
        print(json.dumps(d, ensure_ascii=False, indent=1))
    else:
        print(format_table(result, show_wrong=args.show_wrong))
        if folds > 1:
            from qc.evaluate import format_folds
            print()
            print(format_folds(result, folds))
    return 0


def _run_overrides(args: argparse.Namespace) -> int:
    from app.cli import open_db
    from app.qc_review import format_overrides, override_stats

    db = open_db(args)
    try:
        stats = override_stats(db)
    finally:
        db.dispose()
    if args.json:
        print(json.dumps([st.to_dict() for st in stats], ensure_ascii=False, indent=1))
    else:
        print(format_overrides(stats))
    return 0
