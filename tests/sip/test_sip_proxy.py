"""Real SIP through the suite's own Kamailio configuration (``contactops telephony config``).

The suite runs with ``CONTACTOPS_TELEPHONY=sip``; Kamailio runs the generated configuration;
two robot SIP agents register with digest credentials whose HA1 only the suite holds, log in
to the console and go ready; SIPp callers dial two queues, a third of them hanging up while the
phone rings. Each call is held while the engine decides, relayed to the offered agent, and its
steps are the engine's events: the event log holds every call's routing decision (found by
Call-ID) and the KPIs count what SIPp counted.
"""

from __future__ import annotations

import asyncio
import os
import re
import secrets
import subprocess
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlmodel import Session, select

from app.cli import main as cli_main
from app.models import AgentSkill, Queue, SipAccount
from app.sip.accounts import ensure_accounts, ha1_of
from app.sip.adapter import sip_contact_id
from app.sip.kamailio import ConfigError, ProxyConfig, render, write
from app.testing import TEST_PASSWORD, create_user, make_app, make_settings
from tests.app.test_browser import free_port
from tests.app.test_wallboard_redis import ROOT, _start, _wait_up
from tests.sip.minimal_proxy import KAMAILIO, MODULES, free_udp_port
from tests.sip.robots import RobotAccount, RobotFleet
from tests.sip.sipp import SIPP, plan_calls, run_callers

DOMAIN = "contactops.test"
SECRET = "test-" + "s" * 24
HAVE_SIP = Path(KAMAILIO).exists() and (MODULES / "http_client.so").exists() and (
    MODULES / "async.so").exists()


def _cfg(**overrides: Any) -> ProxyConfig:
    base: dict[str, Any] = {"domain": DOMAIN, "listen_address": "127.0.0.1", "sip_port": 5099,
                            "ws_port": 8099, "suite_url": "http://127.0.0.1:8000",
                            "shared_secret": SECRET}
    return ProxyConfig(**{**base, **overrides})


@pytest.mark.parametrize(("field", "value", "setting"), [
    ("listen_address", "0.0.0.0", "sip_listen_address"),
    ("listen_address", "proxy.example", "sip_listen_address"),
    ("shared_secret", "short", "sip_shared_secret"),
    ("domain", "bad domain", "sip_domain"),
    ("ws_port", 5099, "sip_ws_port"),
    ("suite_url", "ftp://x", "sip_suite_url"),
])
def test_config_refuses_settings_that_would_open_the_proxy(field: str, value: Any,
                                                           setting: str) -> None:
    with pytest.raises(ConfigError) as err:
        _cfg(**{field: value})
    assert err.value.setting == setting


def test_config_listens_only_where_configured() -> None:
    text = render(_cfg(listen_address="10.1.2.3"))
    listens = re.findall(r"^listen=(.*)$", text, flags=re.MULTILINE)
    assert listens == ["udp:10.1.2.3:5099", "tcp:10.1.2.3:5099", "tcp:10.1.2.3:8099"]
    assert "auto_aliases=no" in text and '"Relaying Forbidden"' in text
    assert SECRET in text  # and the file is written 0600 (below)


def test_cli_config_writes_a_config_kamailio_accepts(tmp_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch,
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("CONTACTOPS_SIP_DOMAIN", DOMAIN)
    monkeypatch.delenv("CONTACTOPS_SIP_SHARED_SECRET", raising=False)
    assert cli_main(["telephony", "config", "--out", str(tmp_path / "k")]) == 2
    assert "CONTACTOPS_SIP_SHARED_SECRET" in capsys.readouterr().err
    monkeypatch.setenv("CONTACTOPS_SIP_SHARED_SECRET", SECRET)
    assert cli_main(["telephony", "config", "--out", str(tmp_path / "k")]) == 0
    conf = tmp_path / "k" / "kamailio.cfg"
    assert oct(conf.stat().st_mode & 0o777) == "0o600"
    assert "kamailio -DD -E -f" in (tmp_path / "k" / "README.txt").read_text()
    if HAVE_SIP:
        check = subprocess.run([KAMAILIO, "-c", "-f", str(conf)], capture_output=True, text=True,
                               check=False, timeout=30)
        assert check.returncode == 0, check.stderr[-2000:]


def test_check_reports_an_unreachable_proxy_in_one_line(monkeypatch: pytest.MonkeyPatch,
                                                        capsys: pytest.CaptureFixture[str]) -> None:
    port = free_port()
    assert cli_main(["telephony", "check", "--rpc-url", f"http://127.0.0.1:{port}/RPC"]) == 2
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0 and "proxy not reachable" in err


def test_proxy_endpoints_need_the_shared_secret(sqlite_url: str) -> None:
    from fastapi.testclient import TestClient

    settings = make_settings(sqlite_url, telephony="sip", sip_shared_secret=SECRET,
                             sip_domain=DOMAIN)
    app = make_app(settings)
    create_user(app, "agent01", "agent")
    with Session(app.state.engine) as session:
        ensure_accounts(session, settings)
        ha1 = session.exec(select(SipAccount.ha1)).one()
    with TestClient(app) as client:
        wrong = client.post("/api/sip/ha1", json={"secret": "x" * 20, "username": "agent01"})
        assert wrong.status_code == 403
        good = client.post("/api/sip/ha1", json={"secret": SECRET, "username": "agent01"})
        assert good.status_code == 200 and good.text == ha1
        assert client.post("/api/sip/ha1", json={"secret": SECRET, "username": "nobody"}
                           ).status_code == 404
        bad = client.post("/api/sip/event", json={"secret": SECRET, "call_id": "c",
                                                   "event": "exploded"})
        assert bad.status_code == 422 and "event" in bad.text
        unknown = client.post("/api/sip/route", json={"secret": SECRET, "call_id": "c1",
                                                      "queue": "nowhere", "caller": "0101"})
        assert unknown.status_code in (404, 503)


# --- end to end --------------------------------------------------------------------------------

class _Agent:
    """A robot agent's console side: logged in, ready, ends its wrap-ups (over HTTP)."""

    def __init__(self, base: str, login: str) -> None:
        self.client = httpx.Client(base_url=base, timeout=10)
        self.client.get("/login")
        csrf = self.client.cookies.get("contactops_csrf") or ""
        r = self.client.post("/login", data={"username": login, "password": TEST_PASSWORD,
                                             "csrf_token": csrf})
        assert r.status_code in (200, 303), r.text[-500:]
        page = self.client.get("/agent").text
        self.csrf = re.search(r'name="csrf-token" content="([^"]+)"', page).group(1)  # type: ignore[union-attr]

    def post(self, path: str, body: dict[str, Any] | None = None) -> httpx.Response:
        return self.client.post(path, json=body or {}, headers={"X-CSRF-Token": self.csrf})

    def state(self) -> str:
        return str(self.client.get("/api/console/state").json().get("state"))


def _wrap_up_loop(agents: list[_Agent], stop: threading.Event) -> None:
    while not stop.is_set():
        for agent in agents:
            try:
                if agent.state() == "wrap_up":
                    agent.post("/api/console/wrapup", {"disposition": "resolved"})
            except httpx.HTTPError:
                pass
        stop.wait(0.2)


@pytest.fixture
def sip_suite(sqlite_url: str, tmp_path: Path) -> Iterator[tuple[str, tuple[str, int], str]]:
    """The suite (telephony=sip) and Kamailio on the generated config, both on free ports."""
    settings = make_settings(sqlite_url, sip_domain=DOMAIN)
    app = make_app(settings)
    with Session(app.state.engine) as session:
        session.add(Queue(name="deposits", skill="deposits"))
        session.add(Queue(name="cards", skill="cards"))
        session.commit()
    users = [create_user(app, f"agent0{i}", "agent") for i in (1, 2)]
    with Session(app.state.engine) as session:
        for user in users:
            for skill in ("deposits", "cards"):
                session.add(AgentSkill(agent_id=user.agent_id, skill=skill, proficiency=3))
        ensure_accounts(session, settings)
        for account in session.exec(select(SipAccount)).all():  # known test passwords
            account.ha1 = ha1_of(account.username, DOMAIN, f"pw-{account.username}")
            session.add(account)
        session.commit()
    app.state.engine.dispose()

    port, sip_port, ws_port = free_port(), free_udp_port(), free_port()
    base = f"http://127.0.0.1:{port}"
    env = {**os.environ, "PYTHONPATH": str(ROOT), "CONTACTOPS_DATABASE_URL": sqlite_url,
           "CONTACTOPS_SECRET_KEY": secrets.token_urlsafe(32), "CONTACTOPS_DEMO_MODE": "false",
           "CONTACTOPS_LIVE_CENTER": "false", "CONTACTOPS_DEFAULT_LOCALE": "en",
           "CONTACTOPS_TELEPHONY": "sip", "CONTACTOPS_SIP_DOMAIN": DOMAIN,
           "CONTACTOPS_SIP_SHARED_SECRET": SECRET}
    server_log = tmp_path / "server.log"
    server = _start(port, env, server_log)
    kamailio = None
    klog = None
    try:
        _wait_up(port, server, server_log)
        write(ProxyConfig(DOMAIN, "127.0.0.1", sip_port, ws_port, base, SECRET, children=4,
                          async_workers=8), tmp_path / "k")
        klog_path = tmp_path / "kamailio.log"
        klog = klog_path.open("w")
        kamailio = subprocess.Popen(
            [KAMAILIO, "-f", str(tmp_path / "k" / "kamailio.cfg"), "-DD", "-E", "-m", "64",
             "-M", "8", "-Y", str(tmp_path), "-P", str(tmp_path / "kamailio.pid")],
            stdout=klog, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 15
        while "Listening on" not in klog_path.read_text():
            assert kamailio.poll() is None, klog_path.read_text()[-3000:]
            assert time.monotonic() < deadline, "kamailio did not start"
            time.sleep(0.05)
        time.sleep(0.3)
        yield base, ("127.0.0.1", sip_port), str(tmp_path)
    finally:
        if kamailio is not None:
            kamailio.terminate()
            kamailio.wait(10)
        if klog is not None:
            klog.close()
        server.terminate()
        server.wait(20)


@pytest.mark.skipif(not HAVE_SIP or not Path(SIPP).exists(),
                    reason="kamailio (with kamailio-utils-modules) and sip-tester are not installed")
def test_calls_through_kamailio_are_routed_by_the_engine(
        sip_suite: tuple[str, tuple[str, int], str], sqlite_url: str) -> None:
    base, proxy, workdir = sip_suite
    accounts = [RobotAccount(f"agent0{i}", DOMAIN, ha1_of(f"agent0{i}", DOMAIN, f"pw-agent0{i}"))
                for i in (1, 2)]
    intruder = RobotAccount("agent01", DOMAIN, ha1_of("agent01", DOMAIN, "wrong"))
    consoles = [_Agent(base, a.username) for a in accounts]
    for console in consoles:
        assert console.post("/api/console/login").status_code == 200
        assert console.post("/api/console/ready").status_code == 200
    stop = threading.Event()
    wrapper = threading.Thread(target=_wrap_up_loop, args=(consoles, stop), daemon=True)
    wrapper.start()
    plans = plan_calls(12, ["deposits", "cards"], ["01012345678", "01098765432"],
                       abandon_every=3)

    async def scenario() -> tuple[RobotFleet, Any, bool]:
        bad = RobotFleet([intruder], proxy)
        try:
            await bad.start()
            refused = not bad.agents[0].registered
        except (AssertionError, RuntimeError, TimeoutError):
            refused = True
        finally:
            await bad.stop()
        fleet = RobotFleet(accounts, proxy, ring_seconds=0.3, talk_seconds=0.5)
        await fleet.start()
        try:
            result = await asyncio.to_thread(run_callers, Path(workdir) / "sipp", plans, proxy,
                                              DOMAIN, rate=4, timeout_seconds=60)
            await asyncio.sleep(1.0)
        finally:
            await fleet.stop()
        return fleet, result, refused

    try:
        fleet, result, refused = asyncio.run(scenario())
    finally:
        stop.set()
        wrapper.join(5)
        for console in consoles:
            console.client.close()
    assert refused, "a wrong password registered"
    assert all(a.registered for a in fleet.agents) or fleet.calls
    assert result.created == 12 and result.successful == 12, (result, result.errors)
    assert (result.answered, result.abandoned) == (8, 4)

    # every call's routing decision is in the event log, found by its Call-ID
    from sqlalchemy import create_engine, text

    db = create_engine(sqlite_url)
    with db.connect() as conn:
        rows = conn.execute(text("SELECT contact_id, type FROM event_log")).all()
    db.dispose()
    by_contact: dict[str, set[str]] = {}
    for cid, kind in rows:
        by_contact.setdefault(str(cid), set()).add(str(kind))
    for call in fleet.calls:
        kinds = by_contact.get(sip_contact_id(call.call_id), set())
        assert {"contact_arrived", "contact_queued", "contact_offered"} <= kinds or {
            "contact_arrived", "contact_offered"} <= kinds, (call, kinds)
    sip_contacts = {c: k for c, k in by_contact.items() if c.startswith("sip-")}
    answered = sum(1 for k in sip_contacts.values() if "contact_answered" in k)
    abandoned = sum(1 for k in sip_contacts.values() if "contact_abandoned" in k)
    assert (len(sip_contacts), answered, abandoned) == (12, result.answered, result.abandoned)
