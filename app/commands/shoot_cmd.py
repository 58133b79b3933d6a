"""`station shoot` (the parser, standard library only; the handler is shoot_run.py): the shot workflow
without a window (identify → capture → check → record → select).

The same shot sequence (:class:`app.shot_sequence.ShotSequence` over
:class:`app.workflow.Workflow`) the photographer's window sends its keys to, for
scripts, a second camera station without a screen, and checking a set-up:

    station shoot 2019001001 3201...593X          # one line of JSON per student
    station shoot 2019001001 --reason "光线问题, 人工核对合格"   # accept even if a check fails

For each code: the student is identified (as a scan), the camera is triggered,
the durable photo is recorded and checked; a passing (or warning) photo is
accepted as the student's selected shot; a failing one is accepted only with
``--reason``, otherwise it is kept, marked for a retake, and the exit code is 1.
An already-photographed student is shot again only with ``--again``.
"""

from __future__ import annotations

import argparse

from app.commands import handler


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "shoot",
        help="无窗口拍摄: 识别→拍摄→检查→记录→选定 / the shot workflow without a window",
        description="对每个证件号/学号: 识别学生, 拍摄, 检查, 合格即选定 / "
        "for each code: identify, shoot, check, record, select",
    )
    p.add_argument("codes", nargs="+", metavar="CODE", help="身份证号、学号或考生号 / ID, student or exam number")
    p.add_argument("--reason", help="检查不合格时仍然采用的原因 / accept a failing photo with this reason")
    p.add_argument("--again", action="store_true", help="已拍过的学生也重拍 / shoot already-photographed students again")
    p.add_argument("--backend", choices=("gphoto2", "folder", "webcam"), help="相机 (默认: 设置 capture.backend)")
    p.add_argument("--capture-folder", help="照片文件夹 (默认: 设置 capture.folder)")
    p.add_argument("--timeout", type=float, default=30.0, help="等待相机和照片的秒数 / seconds to wait")
    p.set_defaults(func=handler("app.commands.shoot_run:run"))
