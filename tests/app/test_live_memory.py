"""Memory that does not grow: the live engine forgets finished contacts.

Twenty thousand callers through the live path (center task, built-in telephony, demo
robots, all on the driver) on a manual clock; the engine's size, sampled every simulated
hour, stays at the contacts in progress. (A million: ``benchmarks/bench_live_memory.py``;
it takes minutes, too long for the default run.)
"""

from __future__ import annotations

import asyncio

from app.live.load import drive_live


def test_engine_size_stays_flat_over_twenty_thousand_contacts() -> None:
    run = asyncio.run(drive_live(20_000))
    assert run.contacts >= 20_000 and len(run.sizes) > 40
    # nearly every caller was forgotten once finished; the engine holds only the rest
    assert run.forgotten >= run.contacts - 100
    assert run.forgotten + run.sizes[-1]["contacts"] == run.contacts
    for size in run.sizes:  # 20 agents at ~90 % load: tens in progress, never thousands
        assert size["contacts"] <= 150, size
        assert size["timers"] <= 150 and size["line_entries"] <= 300, size
        assert size["ready_entries"] <= 200 and size["agents"] == 20, size
    first, last = run.sizes[len(run.sizes) // 4], run.sizes[-1]
    assert abs(last["contacts"] - first["contacts"]) <= 100  # flat, not growing with time
