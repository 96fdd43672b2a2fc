"""How fast `contactops import queue-log` reads and stores a day's queue log.

Writes a synthetic Asterisk queue_log of ``--calls`` calls (seeded: 85 % answered after a
ring, some after a RINGNOANSWER, 5 % of those transferred to another queue, the rest
abandoned or timed out; agents logging in and pausing), then times the read (parse and
check, :func:`app.importers.queue_log.read_batch`) and the store through the live
store (:func:`app.cli.importer.import_calls`) into a fresh SQLite file (or ``--url``), and a
second import (nothing stored).

Usage::

    python benchmarks/bench_import_queue_log.py --calls 20000 [--url postgresql+psycopg://...]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from datetime import UTC
from pathlib import Path

import numpy as np

from app.cli import main as cli
from app.cli.importer import import_agent_events, import_calls
from app.db import make_engine
from app.importers import queue_log

QUEUES = ("deposits", "loans", "cards", "fx")
START = 1796083200  # 2026-12-01 09:00 in Seoul


def write_log(path: Path, calls: int, seed: int = 1) -> int:
    """A queue_log of ``calls`` calls over a 12-hour day; the number of lines."""
    rng = np.random.default_rng(seed)
    lines: list[tuple[float, str]] = []
    agents = [f"PJSIP/agent{i:03d}" for i in range(60)]
    for a in agents:
        lines.append((START - 60, f"NONE|deposits|{a}|ADDMEMBER|"))
        lines.append((START + float(rng.uniform(0, 43_200)), f"NONE|deposits|{a}|PAUSE|break"))
    for i, at in enumerate(np.sort(rng.uniform(START, START + 43_200, calls))):
        cid = f"{int(at)}.{i}"
        queue = QUEUES[int(rng.integers(0, len(QUEUES)))]
        agent = agents[int(rng.integers(0, len(agents)))]
        t = float(at)
        lines.append((t, f"{cid}|{queue}|NONE|ENTERQUEUE||0105555{i % 10000:04d}|1"))
        wait = float(rng.exponential(20))
        if rng.random() < 0.85:
            if rng.random() < 0.2:
                lines.append((t + wait / 2, f"{cid}|{queue}|{agent}|RINGNOANSWER|15000"))
            talk = float(rng.exponential(150)) + 5
            lines.append((t + wait, f"{cid}|{queue}|{agent}|CONNECT|{wait:.0f}|x|3"))
            if rng.random() < 0.05:
                other = QUEUES[(QUEUES.index(queue) + 1) % len(QUEUES)]
                lines.append((t + wait + talk, f"{cid}|{queue}|{agent}|TRANSFER|2001|ctx|1|1|1"))
                lines.append((t + wait + talk + 1, f"{cid}|{other}|NONE|ENTERQUEUE||x|1"))
                lines.append((t + wait + talk + 9, f"{cid}|{other}|{agents[0]}|CONNECT|8|x|2"))
                talk += 60
            lines.append((t + wait + talk, f"{cid}|{queue}|{agent}|COMPLETECALLER|1|1|1"))
        else:
            kind = "ABANDON" if rng.random() < 0.9 else "EXITWITHTIMEOUT"
            lines.append((t + wait, f"{cid}|{queue}|NONE|{kind}|1|1|{wait:.0f}"))
    lines.sort(key=lambda x: x[0])
    path.write_text("".join(f"{at:.0f}|{rest}\n" for at, rest in lines))
    return len(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--calls", type=int, default=20_000)
    parser.add_argument("--url", help="database URL (default: a fresh SQLite file)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        log = Path(tmp) / "queue_log"
        n_lines = write_log(log, args.calls)
        url = args.url or f"sqlite:///{tmp}/bench.db"
        cli(["db", "--url", url, "upgrade"])
        started = time.perf_counter()
        with log.open() as fh:
            batch = queue_log.read_batch(iter(fh), UTC)
        read_s = time.perf_counter() - started
        engine = make_engine(url)
        started = time.perf_counter()
        imported, _ = import_calls(engine, batch.calls)
        states = import_agent_events(engine, batch.agent_events)
        store_s = time.perf_counter() - started
        started = time.perf_counter()
        again, skipped = import_calls(engine, batch.calls)
        again_states = import_agent_events(engine, batch.agent_events)
        again_s = time.perf_counter() - started
        engine.dispose()
    events = sum(len(c.events) for c in batch.calls)
    print(f"queue_log: {n_lines} lines, {imported} calls, {events} call events, "
          f"{states} agent state changes ({'SQLite' if not args.url else 'given URL'})")
    print(f"read and check: {read_s:.2f} s ({n_lines / read_s:,.0f} lines/s)")
    print(f"store:          {store_s:.2f} s ({imported / store_s:,.0f} calls/s)")
    print(f"second import:  {again_s:.2f} s, stored {again} calls and {again_states} agent "
          f"changes, skipped {skipped}")


if __name__ == "__main__":
    main()
