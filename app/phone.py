"""The marshal's phone page: a read-only view served by the station on the local network.

Off unless switched on (``station phone``, or the switch in the marshal
window). Personal data leaves the station here, so the page is built to leak
as little as possible:

- only clients on the local network (private, loopback, link-local addresses)
  are answered; everyone else gets 403;
- a random access code (shown on the station as a QR code holding the URL)
  opens a session cookie; a wrong code is refused, and five wrong codes from
  one address lock it out for five minutes, also across a restart of the
  station (the failures are kept in the database, setting row ``phone.lockout``);
  a code given with ``--code`` has at least 8 characters; the code is never
  written to the log (request lines are logged with ``code=***``);
- the request parsing is http.server's, hardened: a missing, malformed,
  negative or over-1 KB ``Content-Length`` gets 400, every connection has a
  read timeout (a phone that stops sending frees its thread), and the listen
  backlog takes 60 phones opening the page at once;
- names are shortened (张*明) and students are told apart by the last four
  digits of the student number; ID numbers are never read into the page, not
  even masked;
- every response says ``Cache-Control: no-store`` so the phone's browser keeps
  no copy, and the page shows how old its data is (and says so in red when
  the station stops answering).

This module is the server (its threads, the access rules, the routes); the
page's HTML is made in :mod:`app.phone_page`, and its data (the snapshot, the
kept lock-outs) is read and written by :mod:`app.phone_store`.
"""

from __future__ import annotations

import ipaddress
import logging
import re
import secrets
import socket
import sys
import threading
import time
from http import HTTPStatus
from http.cookies import SimpleCookie
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

from app.errors import InputError, StationError
from app.i18n import t
from app.phone_page import data_json, login_html, page_html
from app.phone_store import load_failures, read_snapshot, save_failures

log = logging.getLogger(__name__)

CODE_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"  # no 0/O, 1/I: read off a screen and typed
CODE_LENGTH = 8
COOKIE = "marshal_session"
SESSION_SECONDS = 12 * 3600
MAX_FAILURES = 5
LOCKOUT_SECONDS = 300
MIN_CODE_LENGTH = 8
MAX_BODY = 1024  # the login form is one short field
READ_TIMEOUT = 10.0  # seconds a connection may take to send its request
BACKLOG = 128  # listen queue: 60 phones opening the page at the same moment
SNAPSHOT_TTL = 1.0  # seconds a computed snapshot is reused across phones

SECURITY_HEADERS = {
    "Cache-Control": "no-store, no-cache, must-revalidate, private, max-age=0",
    "Pragma": "no-cache",
    "Expires": "0",
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    "Content-Security-Policy": "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; "
    "connect-src 'self'; form-action 'self'; frame-ancestors 'none'",
}


def new_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def check_code(code: str) -> str:
    """A code chosen by the operator: at least 8 characters, no spaces (else InputError, exit 2)."""
    c = (code or "").strip()
    if len(c) < MIN_CODE_LENGTH or any(ch.isspace() for ch in c):
        raise InputError(t(f"访问码至少 {MIN_CODE_LENGTH} 个字符且不含空格 (不给 --code 则随机生成)",
                           f"the access code needs at least {MIN_CODE_LENGTH} characters and no spaces "
                           "(leave --code out for a random one)"))
    return c


_CODE_IN_URL = re.compile(r"(?i)(code=)[^&\s\"]*")


def redact(text: str) -> str:
    """A request line or URL with the access code replaced by ***."""
    return _CODE_IN_URL.sub(r"\1***", str(text))


class _Server(ThreadingHTTPServer):
    request_queue_size = BACKLOG
    daemon_threads = True

    def handle_error(self, request, client_address) -> None:
        # A phone that goes away mid-answer: one log line (no address, no traceback on the console).
        exc = sys.exc_info()[1]
        log.info("phone page: a request ended early (%s: %s)", type(exc).__name__, exc)


def is_local_address(ip: str) -> bool:
    """The local network: private, loopback or link-local (IPv4, IPv6, IPv4-mapped IPv6)."""
    try:
        addr = ipaddress.ip_address(ip.split("%", 1)[0])
    except ValueError:
        return False
    if isinstance(addr, ipaddress.IPv6Address) and addr.ipv4_mapped is not None:
        addr = addr.ipv4_mapped
    return addr.is_private or addr.is_loopback or addr.is_link_local


def lan_ip() -> str:
    """This machine's address on the local network (no packet is sent)."""
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:
        s.connect(("10.255.255.255", 1))
        ip = s.getsockname()[0]
    except OSError:
        ip = "127.0.0.1"
    finally:
        s.close()
    return ip


# --- the server -------------------------------------------------------------------------


class PhoneServer:
    """A small HTTP server in its own threads; start() returns at once, stop() shuts it down."""

    def __init__(
        self,
        db,
        *,
        host: str = "0.0.0.0",
        port: int = 8765,
        code: str | None = None,
        station_id: int | None = None,
        allow=is_local_address,
    ):
        self.db = db
        self.host = host
        self.port = port
        self.code = (check_code(code) if code is not None else new_code()).upper()
        self.station_id = station_id
        self.allow = allow
        self._sessions: dict[str, float] = {}
        self._failures: dict[str, list[float]] = self._load_failures()  # wall-clock times, kept in the db
        self._lock = threading.Lock()
        self._snap = None
        self._snap_at = 0.0
        self._httpd: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # lifecycle
    def start(self) -> PhoneServer:
        handler = type("Handler", (_Handler,), {"phone": self})
        try:
            self._httpd = _Server((self.host, self.port), handler)
        except OSError as exc:
            raise StationError(
                t(f"无法在端口 {self.port} 打开手机页面: {exc} (换一个端口: --port)", f"cannot serve on port {self.port}: {exc}"),
                exit_code=2,
            ) from exc
        self._httpd.daemon_threads = True
        self.port = self._httpd.server_address[1]
        self._thread = threading.Thread(target=self._httpd.serve_forever, name="phone-page", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()
            self._httpd = None
        with self._lock:
            self._sessions.clear()

    @property
    def running(self) -> bool:
        return self._httpd is not None

    @property
    def url(self) -> str:
        host = lan_ip() if self.host in ("0.0.0.0", "", "::") else self.host
        return f"http://{host}:{self.port}/?code={self.code}"

    def qr_png(self, scale: int = 6) -> bytes:
        import io

        import segno

        buf = io.BytesIO()
        segno.make(self.url, error="m").save(buf, kind="png", scale=scale, border=2)
        return buf.getvalue()

    def qr_text(self) -> str:
        import io

        import segno

        buf = io.StringIO()
        segno.make(self.url, error="m").terminal(out=buf, compact=True)
        return buf.getvalue()

    # access
    def _load_failures(self) -> dict[str, list[float]]:
        return load_failures(self.db, LOCKOUT_SECONDS)

    def _save_failures(self) -> None:
        with self._lock:
            now = time.time()
            data = {ip: [x for x in times if now - x < LOCKOUT_SECONDS] for ip, times in self._failures.items()}
            data = {ip: times for ip, times in data.items() if times}
        save_failures(self.db, data)

    def locked_out(self, ip: str) -> bool:
        now = time.time()
        with self._lock:
            recent = [x for x in self._failures.get(ip, []) if now - x < LOCKOUT_SECONDS]
            self._failures[ip] = recent
            return len(recent) >= MAX_FAILURES

    def try_code(self, ip: str, code: str) -> str | None:
        """A new session token for the right code; None (and a recorded failure) otherwise."""
        if secrets.compare_digest((code or "").strip().upper().encode(), self.code.encode()):
            token = secrets.token_urlsafe(24)
            with self._lock:
                self._sessions[token] = time.monotonic() + SESSION_SECONDS
            return token
        with self._lock:
            self._failures.setdefault(ip, []).append(time.time())
        self._save_failures()
        log.warning("phone page: wrong access code from %s", ip)
        return None

    def valid_session(self, token: str | None) -> bool:
        if not token:
            return False
        with self._lock:
            exp = self._sessions.get(token)
            if exp is None or exp < time.monotonic():
                self._sessions.pop(token, None)
                return False
            return True

    # data
    def snapshot(self):
        with self._lock:
            if self._snap is not None and time.monotonic() - self._snap_at < SNAPSHOT_TTL:
                return self._snap
        snap = read_snapshot(self.db, self.station_id)
        with self._lock:
            self._snap, self._snap_at = snap, time.monotonic()
        return snap


class _Handler(BaseHTTPRequestHandler):
    phone: PhoneServer
    server_version = "station-phone"
    sys_version = ""
    timeout = READ_TIMEOUT  # socket timeout: a slow or silent phone cannot hold a thread

    def log_message(self, fmt, *args):  # keep stderr quiet; wrong codes are logged above; never the code
        log.debug("phone %s %s", self.client_address[0], redact(fmt % args))

    # plumbing
    def _send(self, status: int, body: str, ctype: str = "text/html; charset=utf-8", extra: dict | None = None):
        data = body.encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(data)))
        for k, v in {**SECURITY_HEADERS, **(extra or {})}.items():
            self.send_header(k, v)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(data)

    def _token(self) -> str | None:
        raw = self.headers.get("Cookie")
        if not raw:
            return None
        try:
            c = SimpleCookie(raw)
        except Exception:
            return None
        return c[COOKIE].value if COOKIE in c else None

    def _login_page(self, status: int, error: str = "") -> None:
        self._send(status, login_html(error))

    def _logged_in(self, token: str) -> None:
        cookie = f"{COOKIE}={token}; Path=/; HttpOnly; SameSite=Strict; Max-Age={SESSION_SECONDS}"
        self._send(HTTPStatus.SEE_OTHER, "", extra={"Location": "/", "Set-Cookie": cookie})

    def _gate(self) -> bool:
        ip = self.client_address[0]
        if not self.phone.allow(ip):
            self._send(HTTPStatus.FORBIDDEN, t("仅限局域网访问", "local network only"), "text/plain; charset=utf-8")
            return False
        if self.phone.locked_out(ip):
            self._send(HTTPStatus.TOO_MANY_REQUESTS, t("访问码错误次数过多, 请 5 分钟后再试", "too many wrong codes: try again in 5 minutes"), "text/plain; charset=utf-8")
            return False
        return True

    # routes
    def do_HEAD(self):
        self.do_GET()

    def do_GET(self):
        if not self._gate():
            return
        url = urlsplit(self.path)
        authed = self.phone.valid_session(self._token())
        if url.path == "/":
            code = parse_qs(url.query).get("code", [None])[0]
            if code is not None and not authed:
                token = self.phone.try_code(self.client_address[0], code)
                if token is None:
                    return self._login_page(HTTPStatus.FORBIDDEN, t("访问码错误", "wrong access code"))
                return self._logged_in(token)
            if not authed:
                return self._login_page(HTTPStatus.UNAUTHORIZED)
            return self._page()
        if url.path == "/data":
            if not authed:
                return self._send(HTTPStatus.UNAUTHORIZED, '{"error": "login"}', "application/json")
            return self._data()
        self._send(HTTPStatus.NOT_FOUND, "not found", "text/plain; charset=utf-8")

    def do_POST(self):
        if not self._gate():
            return
        if urlsplit(self.path).path != "/login":
            return self._send(HTTPStatus.NOT_FOUND, "not found", "text/plain; charset=utf-8")
        raw = (self.headers.get("Content-Length") or "").strip()
        if not raw.isdigit() or int(raw) > MAX_BODY:
            self.close_connection = True
            return self._send(HTTPStatus.BAD_REQUEST, t("请求无效", "bad request"), "text/plain; charset=utf-8")
        try:
            body = self.rfile.read(int(raw))
        except OSError:  # the timeout: a phone that said more than it sent
            self.close_connection = True
            return None
        if len(body) != int(raw):
            self.close_connection = True
            return self._send(HTTPStatus.BAD_REQUEST, t("请求无效", "bad request"), "text/plain; charset=utf-8")
        form = parse_qs(body.decode("utf-8", "replace"))
        token = self.phone.try_code(self.client_address[0], form.get("code", [""])[0])
        if token is None:
            return self._login_page(HTTPStatus.FORBIDDEN, t("访问码错误", "wrong access code"))
        self._logged_in(token)

    def _page(self):
        try:
            snap = self.phone.snapshot()
        except Exception:
            log.exception("phone page snapshot")
            return self._send(HTTPStatus.SERVICE_UNAVAILABLE, t("机位数据库暂时无法读取", "station database unavailable"), "text/plain; charset=utf-8")
        body = page_html(snap)
        self._send(HTTPStatus.OK, body)

    def _data(self):
        try:
            snap = self.phone.snapshot()
        except Exception:
            log.exception("phone page snapshot")
            return self._send(HTTPStatus.SERVICE_UNAVAILABLE, '{"error": "db"}', "application/json")
        self._send(HTTPStatus.OK, data_json(snap), "application/json; charset=utf-8")
