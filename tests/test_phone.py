"""The phone page: access code, local network only, shortened names, never an ID number, no caching."""

from __future__ import annotations

import http.client
import json
from urllib.parse import urlsplit

import pytest
from sqlalchemy import select

from app import phone
from app.roll_call import board as marshal
from app.models import Student
from app.privacy import mask_id, short_name
from tests.marshal_data import make_roster, photograph, station


@pytest.fixture
def server(db):
    with db.session() as s:
        st = station(s)
        students = make_roster(s, [("文学院", "汉语言1班", 23), ("理学院", "数学1班", 12)], seed=3)
        for x in students[:9]:
            photograph(s, x, st)
        marshal.mark_absent(s, students[9].id, "实习")  # the last of group 1
        s.commit()
        roster = [(x.name, x.student_no, x.id_number) for x in s.scalars(select(Student))]
    srv = phone.PhoneServer(db, host="127.0.0.1", port=0).start()
    yield srv, roster
    srv.stop()


def request(srv, method: str, path: str, body: str | None = None, cookie: str | None = None):
    conn = http.client.HTTPConnection("127.0.0.1", srv.port, timeout=10)
    headers = {}
    if cookie:
        headers["Cookie"] = cookie
    if body is not None:
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    conn.request(method, path, body=body, headers=headers)
    r = conn.getresponse()
    data = r.read().decode("utf-8")
    out = (r.status, {k.lower(): v for k, v in r.getheaders()}, data)
    conn.close()
    return out


def login(srv) -> str:
    status, headers, _ = request(srv, "GET", f"/?code={srv.code}")
    assert status == 303 and headers["location"] == "/"
    cookie = headers["set-cookie"]
    assert "HttpOnly" in cookie and "SameSite=Strict" in cookie
    return cookie.split(";", 1)[0]


def id_fragments(idn: str) -> list[str]:
    """Every form in which (part of) an ID number could leak."""
    return [idn, mask_id(idn), idn[:6], idn[-6:], idn[6:14], idn[:4] + "*", "*" + idn[-4:]]


def test_wrong_or_missing_code_is_refused(server):
    srv, roster = server
    status, _, body = request(srv, "GET", "/")
    assert status == 401 and "访问码" in body
    status, headers, body = request(srv, "GET", "/?code=WRONG123")
    assert status == 403 and "访问码错误" in body and "set-cookie" not in headers
    status, _, body = request(srv, "POST", "/login", "code=ALSOBAD1")
    assert status == 403
    status, _, body = request(srv, "GET", "/data")
    assert status == 401
    status, _, body = request(srv, "GET", "/data", cookie="marshal_session=forged")
    assert status == 401
    for name, _sno, _idn in roster:  # nothing about anyone before the code
        assert name not in body and short_name(name) not in body


def test_right_code_by_qr_url_or_form(server):
    srv, _ = server
    assert urlsplit(srv.url).query == f"code={srv.code}"
    cookie = login(srv)
    status, _, body = request(srv, "GET", "/", cookie=cookie)
    assert status == 200 and "候场引导" in body
    status, headers, _ = request(srv, "POST", "/login", f"code={srv.code.lower()}")
    assert status == 303 and "set-cookie" in headers


def test_lockout_after_five_wrong_codes(server):
    srv, _ = server
    for _ in range(phone.MAX_FAILURES):
        assert request(srv, "GET", "/?code=NOPE")[0] == 403
    status, _, _ = request(srv, "GET", f"/?code={srv.code}")
    assert status == 429  # even the right code waits out the lockout


def test_names_shortened_and_no_id_number_ever_served(server):
    srv, roster = server
    cookie = login(srv)
    bodies = [request(srv, "GET", "/", cookie=cookie)[2], request(srv, "GET", "/data", cookie=cookie)[2]]
    payload = json.loads(bodies[1])
    bodies.append(payload["html"])
    everything = "\n".join(bodies)
    assert "汉语言1班" in everything and "实习" in everything
    shown = 0
    for name, sno, idn in roster:
        for frag in id_fragments(idn):
            assert frag not in everything, f"ID number fragment {frag!r} served"
        if len(name) >= 2:
            assert name not in everything.replace(short_name(name), ""), f"full name {name} served"
        if short_name(name) in everything:
            shown += 1
        assert sno not in everything  # only the last four digits tell two 张*明 apart
    assert shown >= 10  # the current and next groups are listed by short name


def test_no_caching_and_freshness(server):
    srv, _ = server
    cookie = login(srv)
    for path in ("/", "/data"):
        status, headers, body = request(srv, "GET", path, cookie=cookie)
        assert status == 200
        assert "no-store" in headers["cache-control"]
        assert headers["pragma"] == "no-cache"
        assert headers["referrer-policy"] == "no-referrer"
    status, _, page = request(srv, "GET", "/", cookie=cookie)
    assert "数据时间" in page and "秒前" in page and "连接中断" in page
    data = json.loads(request(srv, "GET", "/data", cookie=cookie)[2])
    assert data["age"] >= 0 and data["label"].startswith("数据时间")


def test_page_follows_the_database(server, db):
    srv, _ = server
    cookie = login(srv)
    before = json.loads(request(srv, "GET", "/data", cookie=cookie)[2])["html"]
    assert "已拍 <b>9</b>" in before
    with db.session() as s:
        st = marshal.local_station_row(s)
        nxt = s.scalars(select(Student).where(Student.student_no == "19001010")).one()
        photograph(s, nxt, st)
        s.commit()
    import time

    time.sleep(phone.SNAPSHOT_TTL + 0.1)
    after = json.loads(request(srv, "GET", "/data", cookie=cookie)[2])["html"]
    assert "已拍 <b>10</b>" in after


def test_only_the_local_network_is_answered(db):
    assert phone.is_local_address("192.168.1.20") and phone.is_local_address("10.0.0.3")
    assert phone.is_local_address("127.0.0.1") and phone.is_local_address("::1")
    assert phone.is_local_address("::ffff:172.16.5.4") and phone.is_local_address("fe80::1%eth0")
    assert not phone.is_local_address("8.8.8.8") and not phone.is_local_address("2001:4860::8888")
    assert not phone.is_local_address("not an address")
    srv = phone.PhoneServer(db, host="127.0.0.1", port=0, allow=lambda ip: False).start()
    try:
        status, _, body = request(srv, "GET", f"/?code={srv.code}")
        assert status == 403 and "局域网" in body
    finally:
        srv.stop()


def test_codes_are_random_and_qr_encodes_the_url(db):
    codes = {phone.new_code() for _ in range(50)}
    assert len(codes) == 50 and all(len(c) == phone.CODE_LENGTH for c in codes)
    srv = phone.PhoneServer(db, host="127.0.0.1", port=0)
    png = srv.qr_png()
    assert png.startswith(b"\x89PNG")
    assert srv.code in srv.url


def test_phone_command_refuses_a_busy_port(db_url, run_cli):
    import socket

    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    s.listen(1)
    port = s.getsockname()[1]
    try:
        code, _, err = run_cli("phone", "--host", "127.0.0.1", "--port", str(port))
    finally:
        s.close()
    assert code == 2 and str(port) in err


def test_a_client_that_drops_the_connection_is_a_log_line_not_a_traceback(db, capfd, caplog):
    """A phone that goes away mid-answer (ConnectionResetError in a request thread): the stdlib server
    prints a traceback on the marshal's console; ours writes one log line and keeps serving."""
    import logging
    import socket

    srv = phone._Server(("127.0.0.1", 0), phone._Handler)
    try:
        with caplog.at_level(logging.INFO, logger="app.phone"):
            try:
                raise ConnectionResetError(104, "Connection reset by peer")
            except ConnectionResetError:
                srv.handle_error(socket.socket(), ("192.168.1.20", 50000))
        err = capfd.readouterr().err
        assert "Traceback" not in err and err == ""
        assert any("ConnectionResetError" in r.getMessage() for r in caplog.records)
    finally:
        srv.server_close()
