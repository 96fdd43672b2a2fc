"""The softphone through the suite's own Kamailio: digest registration, a queue call routed by
the engine, answered, held, resumed and transferred to another queue in the browser; the
caller's new leg is routed by the engine to a second agent's browser, who hangs up; both wrap up.

The suite runs with ``CONTACTOPS_TELEPHONY=sip`` and Kamailio runs the configuration that
``contactops telephony config`` writes (:mod:`tests.sip.harness`): agent01's console fetches its
real SIP profile (HA1 only) and registers over WebSocket with digest; a JsSIP caller (not
registered, like a trunk) dials ``sip:deposits@domain``; the proxy holds the INVITE until the
engine offers the call to agent01, whose console shows the offer and rings. RTP bytes flow both
ways; the event log holds the call's arrival, offer, answer and end under the contact id of its
Call-ID, and the agent's wrap-up ends it.

The transfer is a blind SIP REFER to the queue's URI: the caller (a JsSIP UA that, as RFC 3892
asks, carries the REFER's Referred-By into its new INVITE) calls ``sip:cards@domain``; the
proxy asks the suite, which joins the new Call-ID to the transferred contact (no second
arrival) and offers it to agent02, whose browser rings. Media flows both ways on both legs.
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
  window.caller = { ua, ended: null, callId: null, legs: [], refers: [] };
  const media = { mediaConstraints: { audio: true, video: false }, pcConfig: { iceServers: [] } };
  const follow = (s) => {
    window.caller.session = s;
    const leg = { callId: null, ended: null };
    window.caller.legs.push(leg);
    s.on("sending", (e) => { leg.callId = e.request.call_id; window.caller.callId = window.caller.callId || leg.callId; });
    s.on("ended", (e) => { leg.ended = e.cause; window.caller.ended = e.cause; });
    s.on("failed", (e) => { leg.ended = e.cause; window.caller.ended = e.cause; });
    // a blind transfer: call the Refer-To target, with the REFER's Referred-By (RFC 3892)
    s.on("refer", (e) => {
      window.caller.refers.push(String(e.request.refer_to.uri));
      const by = e.request.getHeader("Referred-By");
      e.accept((next) => follow(next), { ...media, extraHeaders: by ? ["Referred-By: " + by] : [] });
    });
  };
  ua.on("connected", () => {
    follow(ua.call(target, media));
    resolve(true);
  });
  setTimeout(() => reject(new Error("the caller did not connect within 10 s")), 10000);
  ua.start();
})"""



def _agent_page(browser, server: str, login: str, errors: list[str]):  # type: ignore[no-untyped-def]
    """``login``'s console in a context of its own (microphone granted), registered over SIP."""
    expect = __import__("playwright.sync_api", fromlist=["expect"]).expect
    context = browser.new_context(viewport={"width": 1366, "height": 768}, locale="en-GB")
    context.grant_permissions(["microphone"], origin=server)
    page = context.new_page()
    page.on("pageerror", lambda e: errors.append(f"{login}: {e}"))
    _log_in(page, server, login, TEST_PASSWORD)
    page.wait_for_url(f"{server}/agent")
    switch_language(page, "en")
    expect(page.locator("#sp-sip-status")).to_have_text("registered", timeout=15000)
    page.get_by_role("button", name="Log in", exact=True).click()
    expect(page.locator("#sp-state")).to_have_text("not ready", timeout=5000)
    return page


def test_a_queue_call_routed_by_the_engine_rings_the_browser_softphone_and_is_transferred(
        sqlite_url: str, tmp_path: Path) -> None:
    sync_api = pytest.importorskip("playwright.sync_api")
    expect = sync_api.expect
    SHOTS.mkdir(parents=True, exist_ok=True)
    with sip_center(sqlite_url, tmp_path, agents=2) as center, \
            sync_api.sync_playwright() as pw:
        server = center.base
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS + MEDIA_ARGS)
        try:
            errors: list[str] = []
            page = _agent_page(browser, server, "agent01", errors)
            other = _agent_page(browser, server, "agent02", errors)  # not ready yet
            button = lambda name: page.get_by_role("button", name=name, exact=True)
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

            # agent02 takes calls now; agent01 transfers the caller to the cards queue
            other.get_by_role("button", name="Ready", exact=True).click()
            expect(other.locator("#sp-state")).to_have_text("ready", timeout=5000)
            page.select_option("select[name=transfer-kind]", "queue")
            page.fill("input[name=transfer-target]", "cards")
            page.fill("input[name=transfer-note]", "card limit question")
            button("Transfer").click()
            expect(call).to_have_attribute("data-state", "none", timeout=10000)
            expect(page.locator("#sp-state")).to_have_text(re.compile("wrap-up", re.IGNORECASE), timeout=5000)
            assert caller.evaluate("() => window.caller.refers") == [f"sip:cards@{DOMAIN}"]

            other_call = other.locator("#sp-sip-call")
            expect(other_call).to_have_attribute("data-state", "ringing", timeout=15000)
            expect(other.locator("#sp-state")).to_have_text("ringing", timeout=5000)
            expect(other.locator(".sp-note")).to_contain_text("card limit question", timeout=5000)
            other.screenshot(path=str(SHOTS / "suite-softphone-transferred-ringing.png"))
            other.get_by_role("button", name="Answer", exact=True).click()
            expect(other_call).to_have_attribute("data-state", "talking", timeout=10000)
            assert_media_both_ways(other, caller)
            other.get_by_role("button", name="Hang up", exact=True).click()
            expect(other_call).to_have_attribute("data-state", "none", timeout=5000)
            expect(other.locator("#sp-state")).to_have_text(re.compile("wrap-up", re.IGNORECASE), timeout=5000)
            for console in (page, other):
                console.get_by_role("button", name="Wrap up", exact=True).click()
                expect(console.locator("#sp-state")).to_have_text("ready", timeout=5000)
            legs = caller.evaluate("() => window.caller.legs")
            assert [leg["ended"] for leg in legs] == ["Terminated", "Terminated"], legs
            assert not errors, errors
        finally:
            browser.close()
    events = event_kinds(sqlite_url)
    kinds = events.get(sip_contact_id(str(legs[0]["callId"])), set())
    assert {"contact_arrived", "contact_offered", "contact_answered", "contact_transferred",
            "contact_ended", "wrap_up_ended"} <= kinds, kinds
    assert sip_contact_id(str(legs[1]["callId"])) not in events  # the new leg is no new call
