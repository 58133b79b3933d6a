"""`station config`: show or change the station's settings."""

from __future__ import annotations

import argparse
import json

from app import audit, roles, settings
from app.db import open_db
from app.errors import StationError


def run(args: argparse.Namespace) -> int:
    db = open_db(getattr(args, "db", None))
    with db.session() as s:
        if args.key is None:
            for k, v in sorted(settings.all_settings(s).items()):
                print(f"{k} = {json.dumps(v, ensure_ascii=False)}")
            return 0
        if args.value is None:
            try:
                print(json.dumps(settings.get(s, args.key), ensure_ascii=False))
            except KeyError:
                raise StationError(f"没有这个设置: {args.key}", exit_code=2) from None
            return 0
        roles.authorize(s, "settings", roles.cli_pin(getattr(args, "pin", None)), scope={"key": args.key})
        try:
            value = json.loads(args.value)
        except json.JSONDecodeError:
            value = args.value
        try:
            old = settings.get(s, args.key)
            settings.set_(s, args.key, value)
        except (KeyError, ValueError) as exc:
            raise StationError(str(exc), exit_code=2) from None
        audit.record(s, "settings_change", scope={"key": args.key, "old": old, "new": value})
        s.commit()
    return 0
