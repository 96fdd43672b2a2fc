"""The load test's robot SIP agents and SIPp callers, through a real Kamailio (no suite)."""

from __future__ import annotations

import asyncio
import hashlib
from pathlib import Path

import pytest

from tests.sip.minimal_proxy import available, minimal_proxy
from tests.sip.robots import RobotAccount, RobotFleet, digest_response, parse
from tests.sip.sipp import SIPP, percentile, plan_calls, run_callers

DOMAIN = "robots.test"


def test_digest_response_is_rfc2617() -> None:
    """RFC 2617 section 3.5's example (Mufasa, "Circle Of Life"), from the HA1."""
    ha1 = hashlib.md5(b"Mufasa:testrealm@host.com:Circle Of Life").hexdigest()
    challenge = ('Digest realm="testrealm@host.com", qop="auth,auth-int", '
                 'nonce="dcd98b7102dd2f0e8b11d0f600bfb0c093", '
                 'opaque="5ccc069c403ebaf9f0171e9517f40e41"')
    value = digest_response(ha1, "GET", "/dir/index.html", challenge, cnonce="0a4f113b")
    assert 'response="6629fae49393a05397450978507c4ef1"' in value
    assert 'opaque="5ccc069c403ebaf9f0171e9517f40e41"' in value and "nc=00000001" in value


def test_parse_expands_compact_headers_and_reads_the_body() -> None:
    msg = parse(b"SIP/2.0 180 Ringing\r\nv: SIP/2.0/UDP a;branch=z9hG4bK1\r\ni: x@y\r\n"
                b"CSeq: 7 INVITE\r\nl: 2\r\n\r\nhi")
    assert (msg.status, msg.method, msg.get("call-id"), msg.body) == (180, "INVITE", "x@y", b"hi")
    assert msg.cseq == (7, "INVITE") and not msg.is_request


def test_percentile_is_nearest_rank() -> None:
    values = list(range(1, 1001))
    assert percentile(values, 0.5) == 500 and percentile(values, 0.99) == 990
    assert percentile([3.0], 0.99) == 3.0
    with pytest.raises(ValueError):
        percentile([], 0.5)


@pytest.mark.skipif(not available() or not Path(SIPP).exists(),
                    reason="kamailio and sip-tester (SIPp) are not installed")
def test_robots_answer_and_hang_up_sipp_callers_and_cancels_are_abandons(tmp_path: Path) -> None:
    """Six robots, twelve SIPp calls at 10/s dialled straight at them; every third caller
    hangs up as soon as the phone rings. SIPp's counts and the robots' records agree."""
    accounts = [RobotAccount(f"robot{i}", DOMAIN, hashlib.md5(b"x").hexdigest()) for i in range(6)]
    plans = plan_calls(12, [a.username for a in accounts], ["01000000001"], abandon_every=3)

    async def scenario(proxy: tuple[str, int]) -> tuple[RobotFleet, object]:
        fleet = RobotFleet(accounts, proxy, ring_seconds=0.2, talk_seconds=0.2)
        await fleet.start()
        try:
            result = await asyncio.to_thread(run_callers, tmp_path / "sipp", plans, proxy, DOMAIN,
                                              rate=10, timeout_seconds=30)
            await asyncio.sleep(0.2)
        finally:
            await fleet.stop()
        return fleet, result

    with minimal_proxy(tmp_path, DOMAIN) as proxy:
        fleet, result = asyncio.run(scenario(proxy))
    assert result.created == 12 and result.successful == 12, result.errors  # type: ignore[attr-defined]
    assert (result.answered, result.abandoned) == (8, 4)  # type: ignore[attr-defined]
    assert len(result.ring_ms) == 12  # type: ignore[attr-defined]
    outcomes = sorted(c.outcome for c in fleet.calls)
    assert outcomes == ["cancelled"] * 4 + ["ended"] * 8, outcomes
    assert all(c.hung_up_by == "robot" for c in fleet.calls if c.outcome == "ended")
    assert not fleet.errors, fleet.errors
