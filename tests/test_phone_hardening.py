"""The phone page against a careless operator and a hostile phone: short codes, restarts, logs, bad requests, 60 phones."""

from __future__ import annotations

import logging
import socket
import threading
import time

import pytest

from app import phone
from app.errors import InputError
from tests.test_phone import request, server  # noqa: F401


@pytest.mark.parametrize("code", ["1", "        ", "ABC", "ABCD EFGH", "\t\tABCDEFG"])
def test_short_or_blank_codes_are_refused(db, run_cli, code):
    with pytest.raises(InputError):
        phone.PhoneServer(db, host="127.0.0.1", port=0, code=code)
    rc, _, err = run_cli("phone", "--host", "127.0.0.1", "--port", "0", "--code", code)
    assert rc == 2 and "访问码至少 8 个字符" in err


def test_a_long_enough_code_is_taken(db):
    srv = phone.PhoneServer(db, host="127.0.0.1", port=0, code="site-2019")
    assert srv.code == "SITE-2019"


def test_lockout_survives_a_restart(server, db):  # noqa: F811
    srv, _ = server
    for _ in range(phone.MAX_FAILURES):
        assert request(srv, "GET", "/?code=NOPE1234")[0] == 403
    assert request(srv, "GET", f"/?code={srv.code}")[0] == 429
    srv.stop()
    again = phone.PhoneServer(db, host="127.0.0.1", port=0, code=srv.code).start()  # the station restarted
    try:
        assert request(again, "GET", f"/?code={again.code}")[0] == 429
    finally:
        again.stop()


def test_the_code_is_never_logged(server, caplog):  # noqa: F811
    srv, _ = server
    caplog.set_level(logging.DEBUG)  # what -v does
    request(srv, "GET", f"/?code={srv.code}")
    request(srv, "POST", "/login", f"code={srv.code}")
    request(srv, "GET", f"/?code={srv.code.lower()}x")
    time.sleep(0.2)
    text = "\n".join(r.getMessage() for r in caplog.records)
    assert "code=***" in text  # the request lines are there ...
    assert srv.code not in text.upper()  # ... without the code


def raw(srv, data: bytes, wait: float = 5.0) -> bytes:
    with socket.create_connection(("127.0.0.1", srv.port), timeout=wait) as s:
        s.sendall(data)
        out = b""
        try:
            while chunk := s.recv(65536):
                out += chunk
        except TimeoutError:
            pass
    return out


@pytest.mark.parametrize("length", [b"abc", b"-5", b"99999999999999999999", b"2048", b"1e3", b""])
def test_bad_or_huge_content_length_gets_400(server, length):  # noqa: F811
    srv, _ = server
    head = b"POST /login HTTP/1.1\r\nHost: x\r\n" + (b"Content-Length: " + length + b"\r\n" if length else b"")
    reply = raw(srv, head + b"\r\ncode=x")
    assert reply.startswith(b"HTTP/1.0 400") or reply.startswith(b"HTTP/1.1 400"), reply[:200]
    assert request(srv, "GET", "/")[0] == 401  # and the server goes on


def test_a_phone_that_stops_sending_does_not_hold_the_server(server, monkeypatch):  # noqa: F811
    srv, _ = server
    assert phone._Handler.timeout and phone._Handler.timeout <= 30  # every connection has a read timeout
    monkeypatch.setattr(phone._Handler, "timeout", 1.0)  # shortened for the test
    t0 = time.monotonic()
    reply = raw(srv, b"POST /login HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\ncode=AB", wait=8)
    assert time.monotonic() - t0 < 6 and b"200" not in reply[:20]
    with socket.create_connection(("127.0.0.1", srv.port), timeout=8) as s:  # says nothing at all
        s.sendall(b"GET / HT")
        assert request(srv, "GET", "/")[0] == 401  # others are answered meanwhile
        assert s.recv(100) == b""  # and the silent one is closed after the timeout


def test_sixty_phones_at_once(server):  # noqa: F811
    srv, _ = server
    assert srv._httpd.request_queue_size >= 60
    socks = []
    for _ in range(60):  # all connect before any is answered
        s = socket.socket()
        s.settimeout(5)
        s.connect(("127.0.0.1", srv.port))
        socks.append(s)
    answers = []

    def ask(s):
        try:
            s.sendall(b"GET / HTTP/1.0\r\nHost: x\r\n\r\n")
            answers.append(s.recv(20))
        except OSError as exc:
            answers.append(repr(exc).encode())
        finally:
            s.close()

    threads = [threading.Thread(target=ask, args=(s,)) for s in socks]
    for th in threads:
        th.start()
    for th in threads:
        th.join(10)
    assert len(answers) == 60 and all(a.startswith(b"HTTP/1.0 401") for a in answers), answers[:5]
