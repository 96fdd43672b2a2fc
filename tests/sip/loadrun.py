"""One SIP load run: robot agents registered and ready, SIPp callers at a rate into two queues
(``tests/sip/test_sip_load.py`` and ``benchmarks/bench_sip_ringing.py``)."""

from __future__ import annotations

import asyncio
import json
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from app.cli import main as cli_main
from app.sip.adapter import sip_contact_id
from tests.sip.harness import DOMAIN, Console, WrapUps, event_kinds, robot_account, sip_center
from tests.sip.robots import RobotFleet
from tests.sip.sipp import SippResult, plan_calls, run_callers

QUEUES = ("deposits", "cards")


@dataclass
class LoadRun:
    result: SippResult
    robot_calls: int
    decisions_found: int  # calls whose arrival and offer are in the event log (by Call-ID)
    log_answered: int
    log_abandoned: int
    kpis: dict[str, Any]
    wrap_ups_missed: int
    seconds: float
    #: what went wrong on the agents' side (robot errors, calls not ended), for the failure message
    robot_errors: list[str]


def load_run(db_url: str, workdir: Path, *, calls: int, rate: float, agents: int,
             abandon_every: int = 5, talk_seconds: float = 1.0) -> LoadRun:
    started = time.monotonic()
    with sip_center(db_url, workdir, QUEUES, agents) as center:
        consoles = [Console(center.base, login) for login in center.logins]
        wrap_ups = WrapUps(consoles)
        try:
            for console in consoles:
                console.go_ready()
            plans = plan_calls(calls, QUEUES, ["01012345678", "01098765432", "0212345678"],
                               abandon_every=abandon_every)

            async def scenario() -> tuple[RobotFleet, SippResult]:
                fleet = RobotFleet([robot_account(x) for x in center.logins], center.proxy,
                                   ring_seconds=0.2, talk_seconds=talk_seconds,
                                   on_call=wrap_ups.on_call)
                await fleet.start()
                try:
                    result = await asyncio.to_thread(
                        run_callers, workdir / "sipp", plans, center.proxy, DOMAIN, rate=rate,
                        timeout_seconds=calls / rate + 90)
                    await asyncio.sleep(1.5)  # the last BYEs' reports
                finally:
                    await fleet.stop()
                return fleet, result

            fleet, result = asyncio.run(scenario())
        finally:
            wrap_ups.close()
            for console in consoles:
                console.close()
    kinds = event_kinds(db_url)
    found = sum(1 for c in {c.call_id for c in fleet.calls}
                if {"contact_arrived", "contact_offered"} <= kinds.get(sip_contact_id(c), set()))
    sip = {c: k for c, k in kinds.items() if c.startswith("sip-")}
    return LoadRun(result, len(fleet.calls), found,
                   sum(1 for k in sip.values() if "contact_answered" in k),
                   sum(1 for k in sip.values() if "contact_abandoned" in k),
                   kpis_today(db_url), len(wrap_ups.missed), time.monotonic() - started,
                   fleet.errors + [f"{c.call_id}: {c.outcome} (ended {c.ended_at is not None})"
                                   for c in fleet.calls if c.outcome not in ("ended", "cancelled")])


def kpis_today(db_url: str) -> dict[str, Any]:
    """``contactops kpis --json`` over today and yesterday (UTC), all calls."""
    import contextlib
    import io

    today = datetime.now(UTC).date()
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        code = cli_main(["kpis", "--from", str(today - timedelta(days=1)), "--to", str(today),
                         "--threshold", "20", "--short-abandon", "5", "--json", "--url", db_url])
    assert code == 0, out.getvalue()[-500:]
    data: dict[str, Any] = json.loads(out.getvalue())
    return data
