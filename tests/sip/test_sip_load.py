"""The load test of real SIP: SIPp callers at 20 calls/s into two queues through the suite's
Kamailio, robot SIP agents answering, a fifth of the callers hanging up while it rings.

The default suite places 100 calls (CI time); ``CONTACTOPS_SIP_LOAD_CALLS=1000`` runs the
issue's full form (about 90 s). At least 99.5 % complete, every call's routing decision is
in the event log (found by its Call-ID), and the KPIs count what SIPp counted."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.sip.harness import HAVE_SIP
from tests.sip.loadrun import load_run
from tests.sip.sipp import SIPP, percentile

CALLS = int(os.environ.get("CONTACTOPS_SIP_LOAD_CALLS", "100"))


@pytest.mark.skipif(not HAVE_SIP or not Path(SIPP).exists(),
                    reason="kamailio (with kamailio-utils-modules) and sip-tester are not installed")
def test_sipp_calls_at_20_per_second_through_the_engine(sqlite_url: str, tmp_path: Path) -> None:
    run = load_run(sqlite_url, tmp_path, calls=CALLS, rate=20, agents=40)
    r = run.result
    assert r.created == CALLS
    assert r.successful >= 0.995 * CALLS, (r, r.errors, run.robot_errors)
    assert run.decisions_found == run.robot_calls >= 0.995 * CALLS
    assert (run.log_answered, run.log_abandoned) == (r.answered, r.abandoned)
    kpis = run.kpis["all"]
    assert (kpis["offered"], kpis["answered"], kpis["abandoned"]) == (
        r.answered + r.abandoned, r.answered, r.abandoned)
    assert run.wrap_ups_missed == 0
    print(f"\n{CALLS} calls at 20/s: {r.successful} complete, answered {r.answered}, "
          f"abandoned {r.abandoned}; INVITE->180 p50 {percentile(r.ring_ms, 0.5):.0f} ms, "
          f"p99 {percentile(r.ring_ms, 0.99):.0f} ms; {run.seconds:.0f} s")
