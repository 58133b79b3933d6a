"""`station qc` and `station qc-eval`: the parser (standard library only); the handlers are in qc_run.py.

    station qc IMG_0001.JPG IMG_0002.JPG [--profile P] [--json]
    station qc-eval ../shared/faces/images --labels ../shared/faces/labels.csv
"""

from __future__ import annotations

import argparse

from app.commands import handler


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
    p.set_defaults(func=handler("app.commands.qc_run:run_qc"))

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
    e.set_defaults(func=handler("app.commands.qc_run:run_eval"))
