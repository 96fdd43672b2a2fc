"""SIP accounts (app.sip.accounts): HA1 only, rotation, the console's sip-profile endpoint and
``contactops telephony accounts``."""

from __future__ import annotations

import hashlib

from fastapi.testclient import TestClient
from sqlmodel import Session, select

from app.cli import main as cli_main
from app.models import Agent, SipAccount
from app.sip.accounts import ensure_accounts, ha1_of, profile_for_agent
from app.testing import login, make_app, make_settings
from tests.app.live_helpers import seed_bank

SIP = {"telephony": "sip", "sip_domain": "cc.example", "sip_listen_address": "127.0.0.1",
       "sip_ws_port": 8443}


def test_ha1_is_rfc2617() -> None:
    assert ha1_of("agent01", "cc.example", "pw") == hashlib.md5(
        b"agent01:cc.example:pw").hexdigest()


def test_accounts_made_once_rotated_on_demand(database_url: str) -> None:
    settings = make_settings(database_url, **SIP)
    app = make_app(settings)
    seed_bank(app)
    with Session(app.state.engine) as session:
        made = ensure_accounts(session, settings)
        assert sorted(a.username for a, m in made if m) == ["agent01", "agent02"]
        first = {a.username: a.ha1 for a, _ in made}
        again = ensure_accounts(session, settings)
        assert not any(m for _, m in again)
        assert {a.username: a.ha1 for a, _ in again} == first
        rotated = ensure_accounts(session, settings, rotate_all=True, only=["agent01"])
        assert [a.username for a, m in rotated if m] == ["agent01"]
        assert rotated[0][0].ha1 != first["agent01"]
        assert len(rotated[0][0].ha1) == 32
        # another realm: the HA1 is stale and re-made
        other = make_settings(database_url, **{**SIP, "sip_domain": "other.example"})
        remade = ensure_accounts(session, other)
        assert all(m and a.realm == "other.example" for a, m in remade)
        agent = session.exec(select(Agent).where(Agent.login == "agent02")).one()
        assert profile_for_agent(session, agent.id, settings) is None  # realm differs now
        profile = profile_for_agent(session, agent.id, other)
        assert profile is not None
        assert profile["sip_uri"] == "sip:agent02@other.example"
        assert profile["queues"] == {"deposits": "sip:deposits@other.example",
                                     "loans": "sip:loans@other.example"}
        assert profile_for_agent(session, agent.id, make_settings(database_url)) is None
    app.state.engine.dispose()


def test_sip_profile_endpoint(database_url: str) -> None:
    settings = make_settings(database_url, **SIP)
    app = make_app(settings)
    seed_bank(app)
    with TestClient(app, follow_redirects=False) as client:
        login(client, "agent01")
        missing = client.get("/api/console/sip-profile")
        assert missing.status_code == 404
        assert "contactops telephony accounts" in missing.json()["detail"]
        with Session(app.state.engine) as session:
            ensure_accounts(session, settings)
            ha1 = session.exec(select(SipAccount).where(
                SipAccount.username == "agent01")).one().ha1
        response = client.get("/api/console/sip-profile")
        assert response.status_code == 200
        assert response.headers["cache-control"] == "no-store"
        body = response.json()
        assert body == {"ws_uri": "ws://127.0.0.1:8443/", "sip_uri": "sip:agent01@cc.example",
                        "username": "agent01", "realm": "cc.example", "ha1": ha1,
                        "display_name": body["display_name"],
                        "queues": {"deposits": "sip:deposits@cc.example",
                                   "loans": "sip:loans@cc.example"}}
        client.cookies.clear()
        client.headers.pop("X-CSRF-Token", None)
        login(client, "sup")
        assert client.get("/api/console/sip-profile").status_code == 403


def test_console_page_says_sip_and_admits_the_proxy_websocket(database_url: str) -> None:
    """A SIP center's console marks the softphone (so the script asks for a profile) and its
    CSP's connect-src admits the proxy's WebSocket; a built-in center's console does neither."""
    for sip in (True, False):
        app = make_app(make_settings(database_url, **SIP) if sip else make_settings(database_url))
        if sip:
            seed_bank(app)  # the second app opens the same, seeded database
        with TestClient(app, follow_redirects=False) as client:
            login(client, "agent01")
            page = client.get("/agent")
            assert page.status_code == 200
            csp = page.headers["content-security-policy"]
            connect = next(d for d in csp.split("; ") if d.startswith("connect-src"))
            assert ('data-sip="1"' in page.text) is sip
            assert connect == ("connect-src 'self' ws://127.0.0.1:8443/" if sip
                               else "connect-src 'self'")
            assert "frame-ancestors 'none'" in csp


def test_sip_profile_404_when_builtin(database_url: str) -> None:
    app = make_app(make_settings(database_url))
    seed_bank(app)
    with TestClient(app, follow_redirects=False) as client:
        login(client, "agent01")
        response = client.get("/api/console/sip-profile")
        assert response.status_code == 404
        assert "not configured" in response.json()["detail"]


def test_cli_accounts(database_url: str, monkeypatch, capsys) -> None:  # type: ignore[no-untyped-def]
    settings = make_settings(database_url, **SIP)
    app = make_app(settings)
    seed_bank(app)
    monkeypatch.setenv("CONTACTOPS_SIP_DOMAIN", "cc.example")
    assert cli_main(["telephony", "accounts", "--url", database_url]) == 0
    out = capsys.readouterr().out
    assert "agent01\tcc.example\tmade" in out and "2 SIP accounts, 2 made now" in out
    assert cli_main(["telephony", "accounts", "--url", database_url, "--rotate",
                     "--agent", "agent02"]) == 0
    assert "1 SIP accounts, 1 made now" in capsys.readouterr().out
    with Session(app.state.engine) as session:
        session.add(Agent(login="kim jiwoo", name="Kim Jiwoo"))
        session.commit()
    assert cli_main(["telephony", "accounts", "--url", database_url]) == 0
    assert ("cannot be SIP usernames: kim jiwoo" in capsys.readouterr().out)
    assert cli_main(["telephony", "accounts", "--url", database_url, "--agent", "nobody"]) == 2
    assert "no active agent with login nobody" in capsys.readouterr().err
    app.state.engine.dispose()
