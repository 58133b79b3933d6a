"""`station site`: init, sync, status and the site's own server (the parser is site_cmd.py)."""

from __future__ import annotations

import argparse
import json
import socket

from app import settings
from app.db import open_db
from app.errors import InputError
from app.site_server import LocalPostgres, new_password
from app.site_sync import SiteUnavailable, connect_site, init_site, site_url, status, sync_once
from app.site_url import display_url, remember_password, strip_password


def _url(args, db) -> str:
    if getattr(args, "site", None):
        return args.site
    with db.session() as s:
        url = site_url(s)
    if not url:
        raise InputError("本机没有设置站点数据库: station config site.url postgresql://用户@主机/库名 (或 STATION_SITE_URL)")
    return url


def run_init(args: argparse.Namespace) -> int:
    bare, password = strip_password(args.site)
    if password is not None and bare.startswith("postgresql"):
        path = remember_password(bare, password)
        print(f"密码已写入 {path} (仅本人可读), 不进数据库和日志")
    site = init_site(args.site)
    site.dispose()
    print(f"站点数据库已就绪: {display_url(bare)}")
    if not args.no_save:
        db = open_db(getattr(args, "db", None))
        with db.session() as s:
            settings.set_(s, "site.url", bare)
            s.commit()
        print("本机已设为站点模式 (site.url); 其他机位: station config site.url " + display_url(bare))
    return 0


def run_sync(args: argparse.Namespace) -> int:
    db = open_db(getattr(args, "db", None))
    site = connect_site(_url(args, db))
    try:
        report = sync_once(db, site)
    finally:
        site.dispose()
    if args.json:
        print(json.dumps(report.as_dict(), ensure_ascii=False))
    else:
        print(
            f"{report.station}: 上传 {report.pushed_shots} 张照片、{report.pushed_selections} 个选定; "
            f"下载 {report.pulled_shots} 张照片记录、{report.pulled_selections} 个选定; "
            f"冲突 {report.conflicts}; 用时 {report.seconds:.1f} 秒"
        )
    return 0


def run_status(args: argparse.Namespace) -> int:
    db = open_db(getattr(args, "db", None))
    url = _url(args, db)
    site = None
    note = ""
    try:
        site = connect_site(url)
    except SiteUnavailable as exc:
        note = exc.message + " — 以下是本机上次同步时的情况"
    try:
        out = status(db, site)
    finally:
        if site is not None:
            site.dispose()
    if args.json:
        out["note"] = note
        print(json.dumps(out, ensure_ascii=False))
        return 0 if site is not None else 4
    if note:
        print(note)
    for st in out["stations"]:
        lag = "-" if st["lag_s"] is None else f"{st['lag_s']:.1f} 秒"
        print(f"{st['station']:<8} 上次联系 {st['last_contact'] or '从未'}  待同步 {st['pending']}  延迟 {lag}")
    print(f"全站已拍学生: {out['students_photographed']}")
    return 0 if site is not None else 4


def run_server(args: argparse.Namespace) -> int:
    server = LocalPostgres(args.data, listen=args.listen, port=args.port)
    if args.stop:
        server.stop()
        print("站点数据库服务器已停止")
        return 0
    password = None
    if not server.initialised:
        password = new_password()
        server.init(password=password)
    server.start()
    server.create_database("site")
    try:
        host = socket.gethostbyname(socket.gethostname())
    except OSError:
        host = "本机地址"
    url = f"postgresql://station@{host}:{args.port}/site"
    print(f"站点数据库服务器已启动: {server.root}")
    if password is not None:
        remember_password(url, password)
        print(f"站点密码 (只显示这一次, 已写入本机 ~/.pgpass): {password}")
        print("在每台机位上运行: station site init --site postgresql://station:密码@" + f"{host}:{args.port}/site")
    else:
        print(f"各机位: station config site.url {url}")
    return 0
