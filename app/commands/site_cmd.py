"""`station site` (the parser, standard library only; the handlers are in site_run.py): site mode, the stations of a school sharing one PostgreSQL site database.

    station site init --site postgresql://station@192.168.1.10/site   # once, creates/migrates it
    station config site.url postgresql://station@192.168.1.10/site    # on every station
    station site sync [--json]                                        # one sync now (the window syncs on its own)
    station site status [--json]                                      # per station: last contact, pending, lag
"""

from __future__ import annotations

import argparse

from app.commands import handler


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("site", help="站点模式: 多机位共用一个站点数据库 / site mode (one PostgreSQL for the school)")
    ss = p.add_subparsers(dest="site_command", metavar="SUBCOMMAND", required=True)
    init = ss.add_parser("init", help="建立或升级站点数据库 / create or migrate the site database")
    init.add_argument("--site", required=True, metavar="URL", help="postgresql://USER[:PASSWORD]@HOST[:PORT]/DB")
    init.add_argument("--no-save", action="store_true", help="不把地址写进本机设置 / do not set site.url here")
    init.set_defaults(func=handler("app.commands.site_run:run_init"))
    sync = ss.add_parser("sync", help="立即同步一次 / sync once now")
    sync.add_argument("--site", metavar="URL", help="默认: 设置 site.url 或 STATION_SITE_URL")
    sync.add_argument("--json", action="store_true")
    sync.set_defaults(func=handler("app.commands.site_run:run_sync"))
    srv = ss.add_parser("server", help="在本机启动站点数据库服务器 / run the site's PostgreSQL server on this laptop")
    srv.add_argument("--data", default="~/station-site", help="数据库集群文件夹 (默认 ~/station-site)")
    srv.add_argument("--listen", default="*", help="监听地址: 本校局域网地址, 逗号分隔 (默认 * = 本机所有网卡)")
    srv.add_argument("--port", type=int, default=55432, help="端口 (默认 55432, 不与系统自带的 PostgreSQL 冲突)")
    srv.add_argument("--stop", action="store_true", help="停止服务器 / stop it")
    srv.set_defaults(func=handler("app.commands.site_run:run_server"))
    st = ss.add_parser("status", help="各机位同步状态 / replication status per station")
    st.add_argument("--site", metavar="URL", help="默认: 设置 site.url 或 STATION_SITE_URL")
    st.add_argument("--json", action="store_true")
    st.set_defaults(func=handler("app.commands.site_run:run_status"))
