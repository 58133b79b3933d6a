"""Station settings, kept in the database so the window and the command line agree.

Every key has a default here; the window's settings dialog and
``station config`` read and write the same rows.
"""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.models import Setting
from app.site_url import strip_password

DEFAULTS: dict[str, Any] = {
    "station.name": "机位1",
    "station.number": 1,
    "capture.folder": "captures",  # relative paths are taken from the working folder
    "capture.backend": "gphoto2",  # gphoto2 / folder / webcam
    "capture.target": "card",  # card / memory
    "capture.hot_folder": "",  # for the folder backend
    "capture.webcam_index": 0,
    "capture.min_free_mb": 2000,
    "qc.profile": "default",
    "qc.backdrop": {},  # the empty backdrop measured at set-up (station calibrate backdrop); {} = not calibrated
    "rate.target_low": 150,
    "rate.target_high": 180,
    "language": "zh",
    "day.half_day_split": "12:30",
    "school.name": "",
    "school.current": "",  # the school being shot ("" = the school of the latest roster import)
    "school.contact": "",
    "school.phone": "",
    "school.email": "",
    "plan.rate": 165,  # students per hour per station the timetable is planned at
    "plan.lead_minutes": 10,  # a group is at the waiting area this long before its slot
    "plan.breaks": "12:00-13:30",  # lunch and breaks, "HH:MM-HH:MM,..."; "" for none
    "plan.day_end": "",  # "HH:MM" when each day of shooting ends; "" = 8 h after the start (附件1), "none"
    "plan.max_per_machine_day": 900,  # 附件1: 一台机器一天能拍 700—900 人; a station's day ends at this count
    "plan.place": "",  # 地点 for the timetable and sign-in sheets when --place is not given
    "centre.name": "江苏省高校招生就业指导服务中心",
    "fees.unit_price": 12,  # 元 per student photographed (每人 12 元: 一份电子图像、六张纸质照片)
    "fees.price_basis": "苏价费函〔2014〕69号",
    "fees.payment": (
        "请于当年 11 月 20 日前按实拍人数将款项汇至中心账户 (账户名称: 江苏省高校招生就业指导服务中心, "
        "开户行: 中国工商银行南京分行宁海路支行, 账号: 4301 0114 0910 0401 930, 开户行行号: 102301000307); "
        "不得将款项交予中心工作人员或汇入其个人账户。"
    ),
    "makeup.address": "江苏省高校招生就业指导服务中心 (南京市上海路 203 号)",
    "makeup.dates": "8月1日—11月20日的正常工作日",
    "makeup.bring": "穿白色上衣 (款式不限), 带好身份证和学生证",
    "makeup.info": "补拍的详细流程可登录“江苏省大学生就业创业网” (http://www.jsbys.com.cn/) 查看。",
    "errata.recipient": "此表请寄送或以电子版方式交我中心郭睿同志, 联系电话: 025-83335730, 邮箱: 635523504@qq.com",
    "site.url": "",  # the site database (PostgreSQL) in site mode, without its password; "" = off
    "site.interval_s": 10,  # seconds between two syncs with the site
    "phone.port": 8765,  # the marshal's phone page (off unless switched on)
}


def get(session: Session, key: str) -> Any:
    row = session.get(Setting, key)
    if row is None:
        if key not in DEFAULTS:
            raise KeyError(key)
        return DEFAULTS[key]
    return json.loads(row.value)


def set_(session: Session, key: str, value: Any) -> None:
    if key not in DEFAULTS:
        raise KeyError(f"unknown setting {key!r}; known: {', '.join(sorted(DEFAULTS))}")
    default = DEFAULTS[key]
    if key == "site.url" and value:
        if strip_password(str(value))[1] is not None:
            raise ValueError("站点数据库地址里不要写密码 (会存进数据库): 用 station site init --site URL 写入 ~/.pgpass, "
                             "或设环境变量 STATION_SITE_PASSWORD")
    if isinstance(default, int) and not isinstance(default, bool) and isinstance(value, str):
        value = int(value)
    row = session.get(Setting, key)
    if row is None:
        session.add(Setting(key=key, value=json.dumps(value, ensure_ascii=False)))
    else:
        row.value = json.dumps(value, ensure_ascii=False)


def all_settings(session: Session) -> dict[str, Any]:
    out = dict(DEFAULTS)
    for row in session.scalars(select(Setting)):
        if not row.key.startswith("_"):  # private rows (the station's identity, the supervisor's PIN)
            out[row.key] = json.loads(row.value)
    return out
