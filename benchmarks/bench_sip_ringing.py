"""Time from a caller's INVITE to the agent's phone ringing, through the suite's Kamailio.

SIPp places ``--calls`` calls at ``--rate`` calls/s into two queues; Kamailio (the
configuration ``contactops telephony config`` writes) holds each INVITE while the suite's
routing engine decides, then relays it to a robot SIP agent, whose 180 Ringing SIPp times
(its ``rtd`` "ring": INVITE sent to 180 received, so the engine's decision, the HTTP round
trips between proxy and suite and the agent's phone are all inside). Prints p50, p99 and max,
with the share of calls completed.

Usage::

    python benchmarks/bench_sip_ringing.py [--calls 1000] [--rate 20] [--agents 40] [--url DB]
                                           [--busy N]

``--busy N`` keeps N other processes spinning meanwhile (a busy machine: with 2 on 2 cores,
a proxy whose workers waited on the suite lost calls; the completed share says whether the
proxy still copes). The machine is shared and noisy: compare figures of one run only.

Needs Debian's kamailio, kamailio-utils-modules and sip-tester. ``--url`` names an empty,
throwaway database (default: a fresh SQLite file). Uses the SIP tests' robots and harness
(``tests/sip``), so run it from the repository's root.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.sip.harness import HAVE_SIP
from tests.sip.loadrun import load_run
from tests.sip.sipp import percentile


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=1000)
    parser.add_argument("--rate", type=float, default=20.0, help="calls per second")
    parser.add_argument("--agents", type=int, default=40)
    parser.add_argument("--url", help="throwaway database URL (default: a fresh SQLite file)")
    parser.add_argument("--busy", type=int, default=0, help="busy processes beside the run")
    args = parser.parse_args()
    if not HAVE_SIP:
        print("kamailio with kamailio-utils-modules is not installed", file=sys.stderr)
        return 2
    if not (1 <= args.calls <= 100_000 and 0 < args.rate <= 500 and 1 <= args.agents <= 500
            and 0 <= args.busy <= 64):
        print("--calls 1..100000, --rate 0..500, --agents 1..500, --busy 0..64", file=sys.stderr)
        return 2
    busy = [subprocess.Popen([sys.executable, "-c", "while True: pass"])
            for _ in range(args.busy)]
    try:
        with tempfile.TemporaryDirectory() as tmp:
            url = args.url or f"sqlite:///{Path(tmp) / 'bench.db'}"
            run = load_run(url, Path(tmp), calls=args.calls, rate=args.rate, agents=args.agents)
    finally:
        for proc in busy:
            proc.kill()
            proc.wait()
    r = run.result
    ring = r.ring_ms
    print(f"{args.calls} calls at {args.rate:g}/s, {args.agents} robot agents"
          f"{f', {args.busy} busy processes' if args.busy else ''}: "
          f"{r.successful} complete ({r.completed_share:.1%}), answered {r.answered}, "
          f"abandoned {r.abandoned}; routing decisions in the log {run.decisions_found}")
    if ring:
        print(f"INVITE -> ringing (ms): p50 {percentile(ring, 0.5):.0f}  "
              f"p99 {percentile(ring, 0.99):.0f}  max {max(ring):.0f}  (n={len(ring)})")
    print(f"run {run.seconds:.0f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
