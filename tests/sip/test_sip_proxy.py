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
import re
import subprocess
from pathlib import Path
from typing import Any

import pytest
from sqlmodel import Session, select

from app.cli import main as cli_main
from app.models import SipAccount
from app.sip.accounts import ensure_accounts, ha1_of
from app.sip.adapter import sip_contact_id
from app.sip.kamailio import ConfigError, ProxyConfig, render
from app.testing import create_user, make_app, make_settings
from tests.app.test_browser import free_port
from tests.sip.harness import (
    DOMAIN,
    HAVE_SIP,
    SECRET,
    Console,
    WrapUps,
    event_kinds,
    robot_account,
    sip_center,
)
from tests.sip.minimal_proxy import KAMAILIO
from tests.sip.robots import RobotAccount, RobotFleet
from tests.sip.sipp import SIPP, plan_calls, run_callers


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
        assert wrong.status_code == 401
        assert client.post("/api/sip/route", json={}).status_code == 401
        assert client.post("/api/sip/event", content=b"not json").status_code in (401, 422)
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

@pytest.mark.skipif(not HAVE_SIP or not Path(SIPP).exists(),
                    reason="kamailio (with kamailio-utils-modules) and sip-tester are not installed")
def test_calls_through_kamailio_are_routed_by_the_engine(sqlite_url: str, tmp_path: Path) -> None:
    """12 SIPp calls into two queues, every third caller hanging up while the phone rings;
    a wrong password does not register."""
    with sip_center(sqlite_url, tmp_path) as center:
        consoles = [Console(center.base, login) for login in center.logins]
        wrap_ups = WrapUps(consoles)
        try:
            for console in consoles:
                console.go_ready()
            plans = plan_calls(12, ["deposits", "cards"], ["01012345678", "01098765432"],
                               abandon_every=3)

            async def scenario() -> tuple[RobotFleet, Any, bool]:
                intruder = RobotAccount("agent01", DOMAIN, ha1_of("agent01", DOMAIN, "wrong"))
                bad = RobotFleet([intruder], center.proxy)
                try:
                    await bad.start()
                    refused = not bad.agents[0].registered
                except (AssertionError, RuntimeError, TimeoutError):
                    refused = True
                finally:
                    await bad.stop()
                fleet = RobotFleet([robot_account(x) for x in center.logins], center.proxy,
                                   ring_seconds=0.3, talk_seconds=0.5, on_call=wrap_ups.on_call)
                await fleet.start()
                try:
                    result = await asyncio.to_thread(run_callers, tmp_path / "sipp", plans,
                                                      center.proxy, DOMAIN, rate=4,
                                                      timeout_seconds=60)
                    await asyncio.sleep(1.0)
                finally:
                    await fleet.stop()
                return fleet, result, refused

            fleet, result, refused = asyncio.run(scenario())
        finally:
            wrap_ups.close()
            for console in consoles:
                console.close()
    assert refused, "a wrong password registered"
    assert result.created == 12 and result.successful == 12, (result, result.errors)
    assert (result.answered, result.abandoned) == (8, 4)
    by_contact = event_kinds(sqlite_url)
    for call in fleet.calls:  # each call's routing decision, found by its Call-ID
        kinds = by_contact.get(sip_contact_id(call.call_id), set())
        assert {"contact_arrived", "contact_offered"} <= kinds, (call, kinds)
    sip_contacts = {c: k for c, k in by_contact.items() if c.startswith("sip-")}
    answered = sum(1 for k in sip_contacts.values() if "contact_answered" in k)
    abandoned = sum(1 for k in sip_contacts.values() if "contact_abandoned" in k)
    assert (len(sip_contacts), answered, abandoned) == (12, result.answered, result.abandoned)
    assert not wrap_ups.missed


@pytest.mark.skipif(not HAVE_SIP or not Path(SIPP).exists(),
                    reason="kamailio (with kamailio-utils-modules) and sip-tester are not installed")
def test_an_unanswered_phone_gives_the_call_back_before_the_engines_ring_timeout(
        sqlite_url: str, tmp_path: Path) -> None:
    """The engine rings an agent 3 s: the proxy stops ringing agent01's silent phone after 2 s
    (the suite's answer says so), reports the failed ring, and the engine offers the call to
    agent02, whose phone answers: one contact, offered twice, answered once, no overlap."""
    with sip_center(sqlite_url, tmp_path, ring_timeout_seconds=3.0) as center:
        first, second = (Console(center.base, login) for login in center.logins)
        wrap_ups = WrapUps([first, second])
        try:
            first.go_ready()

            async def scenario() -> tuple[RobotFleet, RobotFleet, Any]:
                silent = RobotFleet([robot_account("agent01")], center.proxy, ring_seconds=30,
                                    talk_seconds=0.5)
                quick = RobotFleet([robot_account("agent02")], center.proxy, ring_seconds=0.2,
                                   talk_seconds=0.5, on_call=wrap_ups.on_call)
                await silent.start()
                await quick.start()
                try:
                    calling = asyncio.create_task(asyncio.to_thread(
                        run_callers, tmp_path / "sipp",
                        plan_calls(1, ["deposits"], ["01012345678"], abandon_every=0),
                        center.proxy, DOMAIN, rate=1, timeout_seconds=30))
                    for _ in range(200):  # agent01's phone rings first
                        if silent.calls:
                            break
                        await asyncio.sleep(0.05)
                    await asyncio.to_thread(second.go_ready)
                    result = await calling
                    await asyncio.sleep(1.0)
                finally:
                    await silent.stop()
                    await quick.stop()
                return silent, quick, result

            silent, quick, result = asyncio.run(scenario())
        finally:
            wrap_ups.close()
            first.close()
            second.close()
    assert result.successful == 1 and result.answered == 1, (result, result.errors)
    (rang,) = silent.calls
    (took,) = quick.calls
    assert rang.call_id == took.call_id and rang.outcome == "cancelled", rang
    assert rang.ended_at is not None and 1.5 < rang.ended_at - rang.invite_at < 2.9
    assert took.outcome == "ended" and took.answered_at is not None
    kinds = event_kinds(sqlite_url)[sip_contact_id(rang.call_id)]
    assert {"contact_offered", "contact_answered", "contact_ended"} <= kinds, kinds
    assert not wrap_ups.missed
