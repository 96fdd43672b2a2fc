"""The agent console's WebRTC softphone in a real browser, through a real Kamailio.

Headless Chromium with fake media: agent01's console registers through JsSIP over WebSocket
with a Kamailio on loopback; a second page (a JsSIP caller) calls agent01's SIP URI; the console
rings (ringing class), Answer / Hold / Resume / Transfer (a blind REFER that reaches the caller) /
Hang up act on the real call, and RTP bytes flowed both ways (getStats on both pages).

The suite runs with ``telephony = "sip"`` (so the page asks for a profile and its CSP admits
the proxy's WebSocket); this test serves the profile by routing that request in the browser and
runs Kamailio with the small registrar/proxy config below (no digest, loopback only): the call
is direct between two SIP users, so the console's buttons follow the SIP session alone, and the
blind transfer's REFER can be seen reaching the caller. The same console through the suite's own
configuration (digest, the engine routing a queue call) is
``tests/sip/test_softphone_suite_browser.py``. Screenshots go to /tmp/shots-softphone/.
"""

from __future__ import annotations

import json
import re
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from itertools import pairwise
from pathlib import Path
from typing import Any

import pytest

from app.i18n import get_translations
from app.pages.softphone_labels import SIP_CAUSES, SOFTPHONE_UI
from app.testing import TEST_PASSWORD
from tests.app.live_helpers import arrive_call, switch_language
from tests.app.test_browser import CHROMIUM, CHROMIUM_ARGS, _log_in
from tests.app.test_desk_browser import desk  # noqa: F401

KAMAILIO = shutil.which("kamailio") or "/usr/sbin/kamailio"
MODULES = Path("/usr/lib/x86_64-linux-gnu/kamailio/modules")
pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason=f"{CHROMIUM} is not installed"),
    pytest.mark.skipif(not Path(KAMAILIO).exists() or not (MODULES / "websocket.so").exists(),
                       reason="kamailio and kamailio-websocket-modules are not installed "
                              "(apt-get install kamailio kamailio-websocket-modules)"),
]
SHOTS = Path("/tmp/shots-softphone")
MEDIA_ARGS = ["--use-fake-ui-for-media-stream", "--use-fake-device-for-media-stream",
              "--autoplay-policy=no-user-gesture-required"]
DOMAIN = "127.0.0.1"

CONFIG = """#!KAMAILIO
debug=2
log_stderror=yes
children=2
tcp_children=2
auto_aliases=no
listen=udp:127.0.0.1:{udp}
listen=tcp:127.0.0.1:{ws}
alias="127.0.0.1"
tcp_accept_no_cl=yes
mpath="{modules}/"
loadmodule "tm.so"
loadmodule "sl.so"
loadmodule "rr.so"
loadmodule "pv.so"
loadmodule "maxfwd.so"
loadmodule "textops.so"
loadmodule "siputils.so"
loadmodule "xlog.so"
loadmodule "usrloc.so"
loadmodule "registrar.so"
loadmodule "nathelper.so"
loadmodule "xhttp.so"
loadmodule "websocket.so"
modparam("nathelper|registrar", "received_avp", "$avp(RECEIVED)")
modparam("usrloc", "db_mode", 0)

request_route {{
    if (!mf_process_maxfwd_header("10")) {{ sl_send_reply("483", "Too Many Hops"); exit; }}
    if (nat_uac_test(64)) {{
        force_rport();
        if (is_method("REGISTER")) fix_nated_register(); else add_contact_alias();
    }}
    if (has_totag()) {{
        if (loose_route()) {{ handle_ruri_alias(); t_relay(); exit; }}
        if (is_method("ACK") && t_check_trans()) {{ t_relay(); exit; }}
        sl_send_reply("404", "Not here");
        exit;
    }}
    if (is_method("CANCEL")) {{ if (t_check_trans()) t_relay(); exit; }}
    t_check_trans();
    if (is_method("REGISTER")) {{ save("location"); exit; }}
    if (is_method("INVITE|SUBSCRIBE|REFER")) record_route();
    if (!lookup("location")) {{ sl_send_reply("404", "Not Found"); exit; }}
    t_on_reply("MANAGE_REPLY");
    t_relay();
}}

onreply_route[MANAGE_REPLY] {{
    if (nat_uac_test(64)) add_contact_alias();
}}

event_route[xhttp:request] {{
    set_reply_close();
    set_reply_no_connect();
    if ($hdr(Upgrade) =~ "websocket" && $hdr(Connection) =~ "Upgrade" && $rm =~ "GET") {{
        if (ws_handle_handshake()) exit;
    }}
    xhttp_reply("404", "Not Found", "", "");
}}
"""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def kamailio(tmp_path: Path) -> Iterator[str]:
    udp, ws = _free_port(), _free_port()
    cfg = tmp_path / "kamailio.cfg"
    cfg.write_text(CONFIG.format(udp=udp, ws=ws, modules=MODULES))
    check = subprocess.run([KAMAILIO, "-c", "-f", str(cfg)], check=False, capture_output=True,
                           text=True,
                           timeout=30)
    assert check.returncode == 0, check.stderr[-2000:]
    log = (tmp_path / "kamailio.log").open("w")
    proc = subprocess.Popen([KAMAILIO, "-f", str(cfg), "-DD", "-E", "-m", "64", "-M", "8",
                             "-Y", str(tmp_path), "-P", str(tmp_path / "kamailio.pid")],
                            stdout=log, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", ws), timeout=0.5).close()
                break
            except OSError:
                assert proc.poll() is None, (tmp_path / "kamailio.log").read_text()[-2000:]
                time.sleep(0.1)
        yield f"ws://127.0.0.1:{ws}"
    finally:
        proc.terminate()
        proc.wait(10)
        log.close()


def _profile(ws_uri: str, user: str) -> dict[str, object]:
    return {"ws_uri": ws_uri, "sip_uri": f"sip:{user}@{DOMAIN}", "username": user,
            "realm": DOMAIN, "ha1": "0" * 32, "display_name": user,
            "queues": {"deposits": f"sip:deposits@{DOMAIN}"}}


CALLER_JS = """([wsUri, target]) => new Promise((resolve, reject) => {
  const ua = new JsSIP.UA({ sockets: [new JsSIP.WebSocketInterface(wsUri)],
    uri: "sip:caller@127.0.0.1", register: true, session_timers: false });
  window.caller = { ua, refers: [], ended: null };
  ua.on("registered", () => {
    const s = ua.call(target, { mediaConstraints: { audio: true, video: false },
                                pcConfig: { iceServers: [] } });
    window.caller.session = s;
    s.on("refer", (e) => { window.caller.refers.push(String(e.request.refer_to.uri)); e.reject(); });
    s.on("ended", (e) => { window.caller.ended = e.cause; });
    s.on("failed", (e) => { window.caller.ended = e.cause; });
    resolve(true);
  });
  ua.on("registrationFailed", (e) => reject(new Error(e.cause)));
  setTimeout(() => reject(new Error("the caller did not register within 10 s")), 10000);
  ua.start();
})"""
CALL_AGAIN_JS = """(target) => {
  const s = window.caller.ua.call(target, { mediaConstraints: { audio: true, video: false },
                                            pcConfig: { iceServers: [] } });
  window.caller.session = s;
  window.caller.ended = null;
  s.on("ended", (e) => { window.caller.ended = e.cause; });
  s.on("failed", (e) => { window.caller.ended = e.cause; });
}"""
#: every AudioContext the page opens (the ring tone), with when it opened and whether it closed
COUNT_TONES_JS = """(() => {
  const Base = window.AudioContext;
  window.tones = [];
  window.AudioContext = class extends Base {
    constructor(...args) {
      super(...args);
      const tone = { at: performance.now(), closed: false };
      window.tones.push(tone);
      const close = this.close.bind(this);
      this.close = () => { tone.closed = true; return close(); };
    }
  };
})();"""
#: nothing of the softphone sticks out of its column (1366x768: the console fits one screen)
FITS_JS = """() => { const box = document.getElementById("softphone").getBoundingClientRect();
  return [...document.querySelectorAll("#softphone *")].filter((n) => {
    const r = n.getBoundingClientRect();
    return r.width > 0 && (r.left < box.left - 1 || r.right > box.right + 1);
  }).map((n) => n.tagName + "#" + n.id + "." + n.className + " " + (n.name || "")); }"""
CALLER_STATS = """async () => { let sent = 0, received = 0;
  (await window.caller.session.connection.getStats()).forEach((r) => {
    if (r.type === "outbound-rtp" && r.kind === "audio") sent += r.bytesSent || 0;
    if (r.type === "inbound-rtp" && r.kind === "audio") received += r.bytesReceived || 0; });
  return { bytesSent: sent, bytesReceived: received }; }"""


def assert_media_both_ways(page: Any, caller: Any, min_bytes: int = 2000) -> None:
    """RTP bytes sent and received on the agent's page and the caller's (getStats), within 15 s."""
    deadline = time.monotonic() + 15
    agent_stats = caller_stats = {"bytesSent": 0, "bytesReceived": 0}
    while time.monotonic() < deadline:
        agent_stats = page.evaluate("() => window.ContactopsSoftphone.stats()")
        caller_stats = caller.evaluate(CALLER_STATS)
        if min(*agent_stats.values(), *caller_stats.values()) > min_bytes:
            break
        time.sleep(0.5)
    assert min(agent_stats.values()) > min_bytes, agent_stats
    assert min(caller_stats.values()) > min_bytes, caller_stats


def test_the_console_registers_rings_and_works_a_real_call(desk, kamailio: str) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    sync_api = pytest.importorskip("playwright.sync_api")
    expect = sync_api.expect
    server, app = desk
    # a SIP center: the console page says so and its CSP admits the proxy's WebSocket
    app.state.settings.telephony = "sip"  # type: ignore[attr-defined]
    app.state.settings.sip_ws_uri = kamailio  # type: ignore[attr-defined]
    SHOTS.mkdir(parents=True, exist_ok=True)
    with sync_api.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS + MEDIA_ARGS)
        try:
            errors: list[str] = []
            context = browser.new_context(viewport={"width": 1366, "height": 768}, locale="en-GB")
            context.grant_permissions(["microphone"], origin=server)
            page = context.new_page()
            page.on("pageerror", lambda e: errors.append(str(e)))
            page.route("**/api/console/sip-profile", lambda route: route.fulfill(
                status=200, content_type="application/json",
                body=json.dumps(_profile(kamailio, "agent01"))))
            _log_in(page, server, "agent01", TEST_PASSWORD)
            page.wait_for_url(f"{server}/agent")
            switch_language(page, "en")
            button = lambda name: page.get_by_role("button", name=name, exact=True)
            status = page.locator("#sp-sip-status")
            expect(status).to_have_text("registered", timeout=10000)
            expect(page.locator("#sp-sip-error")).to_have_text("")
            button("Log in").click()
            expect(page.locator("#sp-state")).to_have_text("not ready", timeout=5000)
            page.screenshot(path=str(SHOTS / "softphone-en-registered.png"))

            caller = browser.new_context(bypass_csp=True).new_page()
            caller.on("pageerror", lambda e: errors.append("caller: " + str(e)))
            caller.goto(f"{server}/login")
            caller.add_script_tag(url="/static/vendor/jssip/jssip.min.js")
            caller.evaluate(CALLER_JS, [kamailio, f"sip:agent01@{DOMAIN}"])

            call = page.locator("#sp-sip-call")
            expect(call).to_have_attribute("data-state", "ringing", timeout=10000)
            expect(page.locator("#softphone")).to_have_class(re.compile(r"\bringing\b"))
            expect(call).to_contain_text("caller")
            expect(button("Answer")).to_be_enabled()
            page.screenshot(path=str(SHOTS / "softphone-en-ringing.png"))
            button("Answer").click()
            expect(call).to_have_attribute("data-state", "talking", timeout=10000)
            expect(page.locator("#softphone")).not_to_have_class(re.compile(r"\bringing\b"))

            # media both ways: RTP bytes sent and received on each side
            assert_media_both_ways(page, caller)
            page.screenshot(path=str(SHOTS / "softphone-en-talking.png"))

            button("Hold").click()
            expect(call).to_have_attribute("data-state", "held", timeout=5000)
            button("Resume").click()
            expect(call).to_have_attribute("data-state", "talking", timeout=5000)

            # blind transfer to a queue: a REFER to the queue's SIP URI reaches the caller
            page.select_option("select[name=transfer-kind]", "queue")
            page.fill("input[name=transfer-target]", "deposits")
            button("Transfer").click()
            deadline = time.monotonic() + 10
            while time.monotonic() < deadline and not caller.evaluate("() => window.caller.refers.length"):
                time.sleep(0.2)
            assert caller.evaluate("() => window.caller.refers") == [f"sip:deposits@{DOMAIN}"]

            button("Hang up").click()
            expect(call).to_have_attribute("data-state", "none", timeout=5000)
            deadline = time.monotonic() + 5
            while time.monotonic() < deadline and caller.evaluate("() => window.caller.ended") is None:
                time.sleep(0.2)
            assert caller.evaluate("() => window.caller.ended") == "Terminated"
            assert not errors, errors
        finally:
            browser.close()


def test_the_korean_console_rings_once_for_an_offered_sip_call_and_says_why_calls_end(  # type: ignore[no-untyped-def]
        desk, kamailio: str) -> None:  # noqa: F811
    """Korean words on the SIP line; the suite's offer and the SIP INVITE of one call ring as one
    tone cadence (every 2 s, each tone's AudioContext closed); JsSIP's end causes read in Korean."""
    sync_api = pytest.importorskip("playwright.sync_api")
    expect = sync_api.expect
    server, app = desk
    app.state.settings.telephony = "sip"  # type: ignore[attr-defined]
    app.state.settings.sip_ws_uri = kamailio  # type: ignore[attr-defined]
    ko = get_translations("ko").gettext
    word = lambda key, **args: ko(SOFTPHONE_UI[key]) % args if args else ko(SOFTPHONE_UI[key])
    SHOTS.mkdir(parents=True, exist_ok=True)
    with sync_api.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS + MEDIA_ARGS)
        try:
            errors: list[str] = []
            context = browser.new_context(viewport={"width": 1366, "height": 768}, locale="ko-KR")
            context.grant_permissions(["microphone"], origin=server)
            context.add_init_script(COUNT_TONES_JS)
            page = context.new_page()
            page.on("pageerror", lambda e: errors.append(str(e)))
            page.route("**/api/console/sip-profile", lambda route: route.fulfill(
                status=200, content_type="application/json",
                body=json.dumps(_profile(kamailio, "agent01"))))
            _log_in(page, server, "agent01", TEST_PASSWORD)
            page.wait_for_url(f"{server}/agent")
            switch_language(page, "ko")
            button = lambda name: page.get_by_role("button", name=name, exact=True)
            sip = page.locator("#sp-sip")
            expect(page.locator("#sp-sip-status")).to_have_text(word("sipRegistered"), timeout=10000)
            expect(sip).to_contain_text(word("sipPhone"))
            expect(sip.locator("summary")).to_have_text(word("sipDevices"))
            assert not re.search("[A-Za-z]{2}", sip.inner_text()), sip.inner_text()
            button("로그인").click()
            expect(page.locator("#sp-state")).to_have_text("이석", timeout=5000)
            page.screenshot(path=str(SHOTS / "softphone-ko-registered.png"))
            sip.locator("summary").click()  # the microphone and speaker choice fit the column
            expect(page.locator("select[name=sip-input]")).to_be_visible()
            page.screenshot(path=str(SHOTS / "softphone-ko-devices.png"))
            assert page.evaluate(FITS_JS) == [], "the softphone column overflows"
            sip.locator("summary").click()
            button("대기").click()
            expect(page.locator("#sp-state")).to_have_text("대기", timeout=5000)

            # the suite offers c1 to agent01, then the proxy's INVITE of that call arrives
            arrive_call(app, "c1")
            expect(page.locator("#sp-state")).to_have_text("수신 중", timeout=5000)
            caller = browser.new_context(bypass_csp=True).new_page()
            caller.goto(f"{server}/login")
            caller.add_script_tag(url="/static/vendor/jssip/jssip.min.js")
            caller.evaluate(CALLER_JS, [kamailio, f"sip:agent01@{DOMAIN}"])
            call = page.locator("#sp-sip-call")
            expect(call).to_have_attribute("data-state", "ringing", timeout=10000)
            expect(call).to_have_text(word("sipRinging", **{"from": "caller"}))
            page.wait_for_timeout(2600)  # a tone at the offer and one 2 s later: never two at once
            tones = page.evaluate("() => window.tones")
            starts = [t["at"] for t in tones]
            assert len(tones) >= 2, tones
            assert all(b - a > 1500 for a, b in pairwise(starts)), starts
            assert all(t["closed"] for t in tones[:-1]), tones  # each tone closes its context
            assert page.evaluate(FITS_JS) == [], "the softphone column overflows"
            page.screenshot(path=str(SHOTS / "softphone-ko-ringing.png"))

            button("응답").click()
            expect(call).to_have_attribute("data-state", "talking", timeout=10000)
            expect(call).to_have_text(word("sipTalking", **{"from": "caller"}))
            expect(page.locator("#sp-state")).to_have_text("통화 중", timeout=5000)
            page.wait_for_timeout(800)
            rung = len(page.evaluate("() => window.tones"))
            assert page.evaluate(FITS_JS) == [], "the softphone column overflows"
            page.screenshot(path=str(SHOTS / "softphone-ko-talking.png"))
            page.wait_for_timeout(2200)  # answered: no more tones, all closed
            tones = page.evaluate("() => window.tones")
            assert len(tones) == rung and all(t["closed"] for t in tones), tones

            button("통화 종료").click()
            expect(call).to_have_attribute("data-state", "none", timeout=5000)
            expect(call).to_have_text(word("sipEnded", cause=ko(SIP_CAUSES["Terminated"])))

            # a second call that the caller gives up before the answer: JsSIP's 'Canceled'
            caller.evaluate(CALL_AGAIN_JS, f"sip:agent01@{DOMAIN}")
            expect(call).to_have_attribute("data-state", "ringing", timeout=10000)
            caller.evaluate("() => window.caller.session.terminate()")
            expect(call).to_have_attribute("data-state", "none", timeout=5000)
            expect(call).to_have_attribute("data-cause", "Canceled")
            expect(call).to_have_text(word("sipCallFailed", reason=ko(SIP_CAUSES["Canceled"])))
            assert not re.search("[A-Za-z]{2}", call.inner_text()), call.inner_text()
            assert not errors, errors
        finally:
            browser.close()


def test_without_a_sip_profile_the_console_has_no_phone_line(desk) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    sync_api = pytest.importorskip("playwright.sync_api")
    expect = sync_api.expect
    server, _app = desk
    with sync_api.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS + MEDIA_ARGS)
        try:
            page = browser.new_context(viewport={"width": 1366, "height": 768}).new_page()
            _log_in(page, server, "agent01", TEST_PASSWORD)
            page.wait_for_url(f"{server}/agent")
            switch_language(page, "en")
            page.get_by_role("button", name="Log in", exact=True).click()
            expect(page.locator("#sp-state")).to_have_text("not ready", timeout=5000)
            expect(page.locator("#sp-sip")).to_be_hidden()
            assert page.evaluate("() => window.ContactopsSoftphone.status()") == "none"
        finally:
            browser.close()
