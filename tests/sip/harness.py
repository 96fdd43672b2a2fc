"""The suite with real SIP on loopback, for the SIP tests and ``benchmarks/bench_sip_ringing.py``.

:func:`sip_center` prepares a database (queues, agents with skills and SIP accounts whose test
passwords are known), starts the suite (``CONTACTOPS_TELEPHONY=sip``) and Kamailio on the
configuration ``contactops telephony config`` writes, both on free ports. :class:`Console`
is a robot agent's console side over HTTP (log in, ready, end its wrap-ups);
:class:`WrapUps` ends the wrap-up of each call a robot hung up, once the engine has it.
"""

from __future__ import annotations

import os
import queue
import re
import secrets
import socket
import subprocess
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
from sqlmodel import Session, select

from app.models import AgentSkill, Queue, RoutingSettings, SipAccount
from app.sip.accounts import ensure_accounts, ha1_of
from app.sip.kamailio import ProxyConfig, write
from app.testing import TEST_PASSWORD, create_user, make_app, make_settings
from tests.app.test_browser import free_port
from tests.app.test_wallboard_redis import ROOT, _start, _wait_up
from tests.sip.minimal_proxy import KAMAILIO, MODULES, free_udp_port
from tests.sip.robots import RobotAccount, RobotCall

DOMAIN = "contactops.test"
SECRET = "test-" + "s" * 24
HAVE_SIP = Path(KAMAILIO).exists() and (MODULES / "http_client.so").exists() and (
    MODULES / "async.so").exists()


def password(login: str) -> str:
    return f"pw-{login}"


def robot_account(login: str) -> RobotAccount:
    return RobotAccount(login, DOMAIN, ha1_of(login, DOMAIN, password(login)))


@dataclass(frozen=True)
class SipCenter:
    base: str  # the suite's URL
    proxy: tuple[str, int]  # Kamailio's UDP address
    ws_uri: str  # Kamailio's WebSocket (the browsers' softphones)
    workdir: Path
    logins: tuple[str, ...]


def prepare_database(db_url: str, queues: Sequence[str], agents: int,
                     ring_timeout_seconds: float | None = None) -> list[str]:
    """Queues, ``agents`` agents skilled for all of them, SIP accounts with known passwords;
    the engine's ring timeout when given (else the built-in policy's)."""
    settings = make_settings(db_url, sip_domain=DOMAIN)
    app = make_app(settings)
    try:
        with Session(app.state.engine) as session:
            for name in queues:
                session.add(Queue(name=name, skill=name))
            if ring_timeout_seconds is not None:
                session.add(RoutingSettings(
                    id=1, selection="longest_idle", ring_timeout_seconds=ring_timeout_seconds,
                    ageing_seconds_per_level=None, preferred_agent_wait_seconds=0.0,
                    updated_at=datetime.now(UTC), updated_by="test"))
            session.commit()
        logins = [f"agent{i:02d}" for i in range(1, agents + 1)]
        users = [create_user(app, login, "agent") for login in logins]
        with Session(app.state.engine) as session:
            for user in users:
                for name in queues:
                    session.add(AgentSkill(agent_id=user.agent_id, skill=name, proficiency=3))
            ensure_accounts(session, settings)
            for account in session.exec(select(SipAccount)).all():
                account.ha1 = ha1_of(account.username, DOMAIN, password(account.username))
                session.add(account)
            session.commit()
    finally:
        app.state.engine.dispose()
    return logins


@contextmanager
def sip_center(db_url: str, workdir: Path, queues: Sequence[str] = ("deposits", "cards"),
               agents: int = 2, ring_timeout_seconds: float | None = None) -> Iterator[SipCenter]:
    """The suite and Kamailio running (module docstring); stopped afterwards."""
    logins = prepare_database(db_url, queues, agents, ring_timeout_seconds)
    port, sip_port, ws_port = free_port(), free_udp_port(), free_port()
    base = f"http://127.0.0.1:{port}"
    env = {**os.environ, "PYTHONPATH": str(ROOT), "CONTACTOPS_DATABASE_URL": db_url,
           "CONTACTOPS_SECRET_KEY": secrets.token_urlsafe(32), "CONTACTOPS_DEMO_MODE": "false",
           "CONTACTOPS_LIVE_CENTER": "false", "CONTACTOPS_DEFAULT_LOCALE": "en",
           "CONTACTOPS_TELEPHONY": "sip", "CONTACTOPS_SIP_DOMAIN": DOMAIN,
           "CONTACTOPS_SIP_SHARED_SECRET": SECRET, "CONTACTOPS_SIP_WS_PORT": str(ws_port),
           "CONTACTOPS_SIP_PORT": str(sip_port)}
    server_log = workdir / "server.log"
    server = _start(port, env, server_log)
    kamailio = None
    klog = None
    try:
        _wait_up(port, server, server_log)
        write(ProxyConfig(DOMAIN, "127.0.0.1", sip_port, ws_port, base, SECRET, children=8,
                          async_workers=max(8, agents)), workdir / "k")
        klog_path = workdir / "kamailio.log"
        klog = klog_path.open("w")
        kamailio = subprocess.Popen(
            [KAMAILIO, "-f", str(workdir / "k" / "kamailio.cfg"), "-DD", "-E", "-m", "128",
             "-M", "16", "-Y", str(workdir), "-P", str(workdir / "kamailio.pid")],
            stdout=klog, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 15
        while "Listening on" not in klog_path.read_text():
            assert kamailio.poll() is None, klog_path.read_text()[-3000:]
            assert time.monotonic() < deadline, "kamailio did not start"
            time.sleep(0.05)
        _wait_accepting(kamailio, klog_path, (sip_port, ws_port))  # children bind after the banner
        yield SipCenter(base, ("127.0.0.1", sip_port), f"ws://127.0.0.1:{ws_port}/", workdir,
                        tuple(logins))
    finally:
        if kamailio is not None:
            kamailio.terminate()
            try:
                kamailio.wait(5)
            except subprocess.TimeoutExpired:  # a worker blocked in an HTTP query to the suite
                kamailio.kill()
                kamailio.wait(5)
        if klog is not None:
            klog.close()
        server.terminate()
        server.wait(20)


def _wait_accepting(kamailio: subprocess.Popen[bytes], log: Path, ports: Sequence[int],
                    seconds: float = 15.0) -> None:
    """Until Kamailio's TCP listeners (SIP and WebSocket) accept connections."""
    deadline = time.monotonic() + seconds
    for port in ports:
        while True:
            assert kamailio.poll() is None, log.read_text()[-3000:]
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
                break
            except OSError:
                assert time.monotonic() < deadline, f"kamailio does not accept on port {port}"
                time.sleep(0.05)
    time.sleep(0.2)  # the UDP children, started beside the TCP ones


class Console:
    """A robot agent's console side: logged in to the suite, ready, ends its wrap-ups."""

    def __init__(self, base: str, login: str) -> None:
        self.login = login
        self.client = httpx.Client(base_url=base, timeout=10)
        self.client.get("/login")
        csrf = self.client.cookies.get("contactops_csrf") or ""
        r = self.client.post("/login", data={"username": login, "password": TEST_PASSWORD,
                                             "csrf_token": csrf})
        assert r.status_code in (200, 303), r.text[-500:]
        found = re.search(r'name="csrf-token" content="([^"]+)"', self.client.get("/agent").text)
        assert found is not None, "no CSRF token on /agent"
        self.csrf = found.group(1)

    def post(self, path: str, body: dict[str, Any] | None = None) -> httpx.Response:
        return self.client.post(path, json=body or {}, headers={"X-CSRF-Token": self.csrf})

    def state(self) -> str:
        return str(self.client.get("/api/console/state").json().get("state"))

    def go_ready(self) -> None:
        assert self.post("/api/console/login").status_code == 200
        assert self.post("/api/console/ready").status_code == 200

    def close(self) -> None:
        self.client.close()


class WrapUps:
    """Ends the wrap-up of every call a robot hung up (``on_call``), once the engine has it."""

    def __init__(self, consoles: Sequence[Console], timeout: float = 10.0) -> None:
        self.consoles = {c.login: c for c in consoles}
        self.timeout = timeout
        self.todo: queue.Queue[str | None] = queue.Queue()
        self.ended = 0
        self.missed: list[str] = []
        self.threads = [threading.Thread(target=self._work, daemon=True) for _ in range(4)]
        for thread in self.threads:
            thread.start()

    def on_call(self, record: RobotCall) -> None:
        if record.outcome == "ended":
            self.todo.put(record.agent)

    def _work(self) -> None:
        while (login := self.todo.get()) is not None:
            console = self.consoles.get(login)
            if console is None:
                continue
            deadline = time.monotonic() + self.timeout
            while time.monotonic() < deadline:
                try:
                    if console.state() == "wrap_up":
                        console.post("/api/console/wrapup", {"disposition": "resolved"})
                        self.ended += 1
                        break
                except httpx.HTTPError:
                    pass
                time.sleep(0.05)
            else:
                self.missed.append(login)

    def close(self) -> None:
        for _ in self.threads:
            self.todo.put(None)
        for thread in self.threads:
            thread.join(self.timeout + 5)


def event_kinds(db_url: str) -> dict[str, set[str]]:
    """Event types per contact id in the event log."""
    from sqlalchemy import create_engine, text

    db = create_engine(db_url)
    try:
        with db.connect() as conn:
            rows = conn.execute(text("SELECT contact_id, type FROM event_log")).all()
    finally:
        db.dispose()
    out: dict[str, set[str]] = {}
    for cid, kind in rows:
        out.setdefault(str(cid), set()).add(str(kind))
    return out
