"""The softphone through the suite's own Kamailio: digest registration, a queue call routed by
the engine, answered, held, resumed and hung up in the browser, then wrapped up.

The suite runs with ``CONTACTOPS_TELEPHONY=sip`` and Kamailio runs the configuration that
``contactops telephony config`` writes (:mod:`tests.sip.harness`): agent01's console fetches its
real SIP profile (HA1 only) and registers over WebSocket with digest; a JsSIP caller (not
registered, like a trunk) dials ``sip:deposits@domain``; the proxy holds the INVITE until the
engine offers the call to agent01, whose console shows the offer and rings. RTP bytes flow both
ways; the event log holds the call's arrival, offer, answer and end under the contact id of its
Call-ID, and the agent's wrap-up ends it.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from app.sip.adapter import sip_contact_id
from app.testing import TEST_PASSWORD
from tests.app.live_helpers import switch_language
from tests.app.test_browser import CHROMIUM, CHROMIUM_ARGS, _log_in
from tests.sip.harness import DOMAIN, HAVE_SIP, event_kinds, sip_center
from tests.sip.test_softphone_browser import assert_media_both_ways

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason=f"{CHROMIUM} is not installed"),
    pytest.mark.skipif(not HAVE_SIP, reason="kamailio with kamailio-utils-modules is not installed"),
]
SHOTS = Path("/tmp/shots-softphone")
MEDIA_ARGS = ["--use-fake-ui-for-media-stream", "--use-fake-device-for-media-stream",
              "--autoplay-policy=no-user-gesture-required"]

#: a trunk-like caller: JsSIP over WebSocket, not registered, dialling a queue
CALLER_JS = """([wsUri, target, domain]) => new Promise((resolve, reject) => {
  const ua = new JsSIP.UA({ sockets: [new JsSIP.WebSocketInterface(wsUri)],
    uri: "sip:01012345678@" + domain, register: false, session_timers: false });
  window.caller = { ua, ended: null, callId: null };
  ua.on("connected", () => {
    const s = ua.call(target, { mediaConstraints: { audio: true, video: false },
                                pcConfig: { iceServers: [] } });
    window.caller.session = s;
    s.on("sending", (e) => { window.caller.callId = e.request.call_id; });
    s.on("ended", (e) => { window.caller.ended = e.cause; });
    s.on("failed", (e) => { window.caller.ended = e.cause; });
    resolve(true);
  });
  setTimeout(() => reject(new Error("the caller did not connect within 10 s")), 10000);
  ua.start();
})"""



def test_a_queue_call_routed_by_the_engine_rings_the_browser_softphone(
        sqlite_url: str, tmp_path: Path) -> None:
    sync_api = pytest.importorskip("playwright.sync_api")
    expect = sync_api.expect
    SHOTS.mkdir(parents=True, exist_ok=True)
    with sip_center(sqlite_url, tmp_path, agents=1) as center, \
            sync_api.sync_playwright() as pw:
        server = center.base
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS + MEDIA_ARGS)
        try:
            errors: list[str] = []
            context = browser.new_context(viewport={"width": 1366, "height": 768}, locale="en-GB")
            context.grant_permissions(["microphone"], origin=server)
            page = context.new_page()
            page.on("pageerror", lambda e: errors.append(str(e)))
            _log_in(page, server, "agent01", TEST_PASSWORD)
            page.wait_for_url(f"{server}/agent")
            switch_language(page, "en")
            button = lambda name: page.get_by_role("button", name=name, exact=True)
            expect(page.locator("#sp-sip-status")).to_have_text("registered", timeout=15000)
            button("Log in").click()
            expect(page.locator("#sp-state")).to_have_text("not ready", timeout=5000)
            button("Ready").click()
            expect(page.locator("#sp-state")).to_have_text("ready", timeout=5000)

            caller = browser.new_context(bypass_csp=True).new_page()
            caller.on("pageerror", lambda e: errors.append("caller: " + str(e)))
            caller.goto(f"{server}/login")
            caller.add_script_tag(url="/static/vendor/jssip/jssip.min.js")
            caller.evaluate(CALLER_JS, [center.ws_uri, f"sip:deposits@{DOMAIN}", DOMAIN])

            call = page.locator("#sp-sip-call")
            expect(call).to_have_attribute("data-state", "ringing", timeout=15000)
            expect(page.locator("#sp-state")).to_have_text("ringing", timeout=5000)  # the offer
            page.screenshot(path=str(SHOTS / "suite-softphone-ringing.png"))
            button("Answer").click()
            expect(call).to_have_attribute("data-state", "talking", timeout=10000)
            assert_media_both_ways(page, caller)
            button("Hold").click()
            expect(call).to_have_attribute("data-state", "held", timeout=5000)
            button("Resume").click()
            expect(call).to_have_attribute("data-state", "talking", timeout=5000)
            page.screenshot(path=str(SHOTS / "suite-softphone-talking.png"))
            button("Hang up").click()
            expect(call).to_have_attribute("data-state", "none", timeout=5000)
            expect(page.locator("#sp-state")).to_have_text(re.compile("wrap-up", re.IGNORECASE), timeout=5000)
            button("Wrap up").click()
            expect(page.locator("#sp-state")).to_have_text("ready", timeout=5000)
            call_id = caller.evaluate("() => window.caller.callId")
            assert caller.evaluate("() => window.caller.ended") == "Terminated"
            assert not errors, errors
        finally:
            browser.close()
    kinds = event_kinds(sqlite_url).get(sip_contact_id(str(call_id)), set())
    assert {"contact_arrived", "contact_offered", "contact_answered", "contact_ended",
            "wrap_up_ended"} <= kinds, kinds
