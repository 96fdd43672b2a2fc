"""The live engine's memory over a million contacts: it stays flat.

    python benchmarks/bench_live_memory.py [--contacts 1000000]

The live path on a manual clock (:func:`app.live.load.drive_live`: the center's task,
built-in telephony, demo robots, 20 agents at about 90 % load, an event store that keeps
only the count); prints the engine's size (``RoutingEngine.size()``) at a few points,
the contacts forgotten, the process's peak resident memory, and the time taken.
"""

from __future__ import annotations

import argparse
import asyncio
import resource
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # this checkout's packages

from app.live.load import drive_live


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--contacts", type=int, default=1_000_000)
    args = ap.parse_args()
    t = time.process_time()
    run = asyncio.run(drive_live(args.contacts))
    secs = time.process_time() - t
    print(f"{run.contacts:,} contacts, {run.events:,} events through the live center in "
          f"{secs:.1f} s CPU ({run.contacts / secs:,.0f} contacts/s); forgotten {run.forgotten:,}")
    n = len(run.sizes)
    for label, i in (("after 1 h", 0), ("10 %", n // 10), ("50 %", n // 2), ("end", n - 1)):
        print(f"  engine size {label:>9}: {run.sizes[i]}")
    peak = max(s["contacts"] for s in run.sizes)
    print(f"  most contacts held at an hourly sample: {peak}; "
          f"peak RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")


if __name__ == "__main__":
    main()
