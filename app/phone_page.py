"""What the phone sees: the page and its live fragment as HTML, the login form, the JSON the page polls.

Reads only counts, short names (张*明) and the last four digits of student numbers from the marshal's
snapshot; never an ID number, not even masked.
"""

from __future__ import annotations

import html
import json
from datetime import datetime

from app.i18n import t
from app.privacy import short_name
from app.roll_call.groups import STATUS_ABSENT, STATUS_PENDING, STATUS_PHOTOGRAPHED

REFRESH_SECONDS = 5  # how often the page asks for fresh data


def student_tag(student_no: str) -> str:
    """The last four digits of the student number: enough to tell two 张*明 apart in a class."""
    return student_no[-4:] if len(student_no) > 4 else student_no


def _status_html(s) -> str:
    if s.status == STATUS_PHOTOGRAPHED:
        return f'<span class="ok">{t("已拍", "done")}</span>'
    if s.status == STATUS_ABSENT:
        return f'<span class="abs">{html.escape(t("缺席", "absent"))}·{html.escape(s.reason)}</span>'
    if s.status == STATUS_PENDING:
        return f'<span class="abs">{t("已拍未确认", "not confirmed")}</span>'
    return f'<span class="wait">{t("待拍", "waiting")}</span>'


def _member_rows(members) -> str:
    rows = []
    for s in members:
        rows.append(
            f"<tr><td>{html.escape(short_name(s.name))}</td>"
            f'<td class="tag">·{html.escape(student_tag(s.student_no))}</td><td>{_status_html(s)}</td></tr>'
        )
    return "".join(rows)


def render_fragment(snap) -> str:
    """The live part of the page. Reads only counts, short names and student-number tails."""

    e = html.escape
    out = []
    if snap.station_no:
        out.append(f'<p class="muted">{e(t(f"机位{snap.station_no}", f"station {snap.station_no}"))}</p>')
    out.append(
        '<div class="totals">'
        + t(
            f"名单 <b>{snap.roster}</b> · 已拍 <b>{snap.photographed}</b> · 缺席 <b>{snap.absent}</b> · 未拍 <b>{snap.remaining}</b>",
            f"roster <b>{snap.roster}</b> · done <b>{snap.photographed}</b> · absent <b>{snap.absent}</b> · left <b>{snap.remaining}</b>",
        )
        + "</div>"
    )
    cur = snap.current
    if cur is not None:
        if cur.cue:
            nxt = snap.next
            what = e(nxt.title) if nxt else t("所有组都已叫过", "every group has been called")
            out.append(f'<div class="cue">{t("请叫下一组", "Call the next group")}: {what}</div>')
        head = t("当前组 (自动)", "current group (auto)") if cur.auto else t("当前组", "current group")
        out.append(
            f"<h2>{e(head)}: {e(cur.title)}</h2>"
            f'<p>{t(f"已拍 {cur.done}/{cur.size}, 缺席 {cur.absent}, 待拍 {cur.remaining}", f"done {cur.done}/{cur.size}, absent {cur.absent}, waiting {cur.remaining}")}</p>'
            f"<table>{_member_rows(cur.members)}</table>"
        )
    nxt = snap.next
    if nxt is not None:
        when = ""
        if nxt.slot is not None:
            when = t(f" · 计划 {nxt.slot.start_at:%H:%M}", f" · planned {nxt.slot.start_at:%H:%M}")
        out.append(
            f"<h2>{t('下一组', 'next group')}: {e(nxt.title)}{e(when)}</h2>"
            f'<p>{t(f"要叫 {len(nxt.to_call)} 人", f"{len(nxt.to_call)} to call")}</p>'
            f"<table>{_member_rows(nxt.to_call)}</table>"
        )
    elif snap.roster:
        out.append(f"<h2>{t('没有待叫的组', 'nobody left to call')}</h2>")
    rows = []
    for col in snap.colleges:
        flag = f' <span class="ok">✓ {t("已拍完, 请与带队老师核对", "done: check with the teacher")}</span>' if col.complete else ""
        rows.append(
            f'<tr class="college"><td>{e(col.label)}{flag}</td><td>{col.roster}</td><td>{col.photographed}</td>'
            f"<td>{col.absent}</td><td>{col.remaining}</td></tr>"
        )
        for c in col.classes:
            rows.append(
                f'<tr><td class="cls">{e(c.class_name)}</td><td>{c.roster}</td><td>{c.photographed}</td>'
                f"<td>{c.absent}</td><td>{c.remaining}</td></tr>"
            )
    head = "".join(f"<th>{e(h)}</th>" for h in (t("学院 / 班级", "college / class"), t("名单", "roster"), t("已拍", "done"), t("缺席", "absent"), t("未拍", "left")))
    out.append(f'<h2>{t("各学院进度", "by college")}</h2><table class="grid"><tr>{head}</tr>{"".join(rows)}</table>')
    return "\n".join(out)


PAGE = """<!doctype html>
<html lang="{lang}"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>{title}</title>
<style>
body{{font-family:system-ui,"PingFang SC","Microsoft YaHei","WenQuanYi Micro Hei",sans-serif;margin:0;padding:12px;font-size:17px;color:#222}}
h1{{font-size:20px;margin:0 0 4px}} h2{{font-size:17px;margin:16px 0 4px}}
table{{border-collapse:collapse;width:100%}} td,th{{padding:4px 6px;border-bottom:1px solid #ddd;text-align:left}}
.grid td:not(:first-child),.grid th:not(:first-child){{text-align:right}}
.college td{{font-weight:bold;background:#f3f6fa}} .cls{{padding-left:18px}}
.ok{{color:#1b7f3b}} .abs{{color:#8a5a00}} .wait{{color:#555}} .tag{{color:#777;font-size:14px}}
.cue{{background:#ff9800;color:#000;font-weight:bold;font-size:20px;padding:10px;border-radius:6px;margin:8px 0}}
#fresh{{font-size:14px;padding:4px 0}} .fresh-ok{{color:#1b7f3b}} .fresh-old{{color:#b36b00}} .fresh-bad{{color:#b00020;font-weight:bold}}
.totals{{font-size:16px}} .muted{{color:#777;margin:0}}
</style></head>
<body>
<h1>{title}</h1>
<div id="fresh" class="fresh-ok">{fresh}</div>
<div id="content">{content}</div>
<script>
(function(){{
  var age0 = {age}, got = Date.now(), failed = false, label = {label_js};
  var fresh = document.getElementById('fresh');
  function show(){{
    var a = Math.round(age0 + (Date.now() - got) / 1000);
    var txt = label + {sep_js} + a + {ago_js};
    fresh.textContent = failed ? {lost_js} + txt : txt;
    fresh.className = failed || a > 60 ? 'fresh-bad' : (a > 15 ? 'fresh-old' : 'fresh-ok');
  }}
  function poll(){{
    fetch('/data', {{cache: 'no-store', credentials: 'same-origin'}}).then(function(r){{
      if (r.status === 401 || r.status === 403) {{ location.reload(); return null; }}
      if (!r.ok) throw new Error(r.status);
      return r.json();
    }}).then(function(d){{
      if (!d) return;
      document.getElementById('content').innerHTML = d.html;
      age0 = d.age; label = d.label; got = Date.now(); failed = false; show();
    }}).catch(function(){{ failed = true; show(); }});
  }}
  setInterval(show, 1000); setInterval(poll, {refresh_ms}); show();
}})();
</script>
</body></html>
"""

LOGIN = """<!doctype html>
<html lang="{lang}"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer"><title>{title}</title>
<style>body{{font-family:system-ui,sans-serif;padding:16px;font-size:18px}} input{{font-size:22px;width:10em;letter-spacing:2px}}
.err{{color:#b00020;font-weight:bold}}</style></head>
<body><h1>{title}</h1><p class="err">{error}</p>
<form method="post" action="/login"><p>{prompt}</p>
<input name="code" autocomplete="off" autocapitalize="characters" autofocus> <button>{go}</button></form>
</body></html>
"""


def _js(text: str) -> str:
    """A JavaScript string literal that is safe inside <script> (no "</")."""
    return json.dumps(text, ensure_ascii=False).replace("</", "<\\/")


def _lang() -> str:
    return "en" if t("zh", "en") == "en" else "zh-CN"


def login_html(error: str = "") -> str:
    """The access-code form (with ``error`` in red above it)."""
    return LOGIN.format(
        lang=_lang(),
        title=html.escape(t("候场引导 · 手机页面", "Queue marshal · phone page")),
        error=html.escape(error),
        prompt=html.escape(t("请输入机位屏幕上显示的访问码, 或扫描二维码:", "Enter the access code shown on the station, or scan its QR code:")),
        go=html.escape(t("进入", "Open")),
    )


def freshness(snap) -> tuple[float, str]:
    """How old the snapshot is (seconds) and the line that says when it was read."""
    age = max(0.0, (datetime.now() - snap.taken_at).total_seconds())
    return age, t(f"数据时间 {snap.taken_at:%H:%M:%S}", f"data as of {snap.taken_at:%H:%M:%S}")


def page_html(snap) -> str:
    """The whole page: the fragment, how fresh it is, and the script that polls ``/data``."""
    age, label = freshness(snap)
    return PAGE.format(
        lang=_lang(),
        title=html.escape(t("候场引导", "Queue marshal")),
        fresh=html.escape(label),
        content=render_fragment(snap),
        age=f"{age:.1f}",
        label_js=_js(label),
        sep_js=_js(" · "),
        ago_js=_js(t(" 秒前", " s ago")),
        lost_js=_js(t("连接中断! ", "connection lost! ")),
        refresh_ms=REFRESH_SECONDS * 1000,
    )


def data_json(snap) -> str:
    """What ``/data`` answers: the fragment and its age."""
    age, label = freshness(snap)
    payload = {"html": render_fragment(snap), "age": round(age, 1), "taken_at": snap.taken_at.isoformat(timespec="seconds"), "label": label}
    return json.dumps(payload, ensure_ascii=False)
