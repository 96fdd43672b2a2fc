"""Run every benchmark in turn and print their figures: ``python benchmarks/run_all.py``.

``--quick`` runs each at a smaller size (minutes instead of a quarter of an hour): useful to
check the benchmarks still run; the figures quoted in issue notes come from the full sizes.
PostgreSQL benchmarks need 127.0.0.1:5432 (they create and drop their own database).
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent

#: (script, full-size arguments, quick arguments)
BENCHMARKS: tuple[tuple[str, list[str], list[str]], ...] = (
    ("bench_erlang.py", [], []),
    ("bench_routing.py", [], ["--agents", "2000", "--waiting", "400", "--samples", "1000"]),
    ("bench_consult.py", [], ["--agents", "2000", "--waiting", "400", "--samples", "1000"]),
    ("bench_simulation.py", [], ["--hours", "4", "--repeat", "1"]),
    ("bench_live_memory.py", [], ["--contacts", "20000"]),
    ("value_routing.py", [], ["--days", "1", "--replications", "2"]),
    ("bench_forecast.py", [], []),
    ("bench_eventlog.py", [], []),
    ("bench_seed.py", [], ["--customers", "50000"]),
    ("bench_screen_pop.py", [], ["--customers", "50000", "--lookups", "500"]),
    ("bench_console_day.py", [], ["--contacts", "3000", "--reads", "50"]),
    ("bench_logins.py", [], ["--mode", "default"]),
    ("bench_bounded_requests.py", ["--deadline", "30"], ["--deadline", "5"]),
    ("bench_workforce.py", [], ["--agents", "50", "--replications", "4"]),
    ("bench_schedule.py", [], ["--agents", "60", "--time-limit", "20", "--day-time-limit", "10"]),
    ("bench_roster_edit.py", [], ["--agents", "60", "--repeat", "5"]),
    ("bench_import_queue_log.py", [], ["--calls", "2000"]),
    ("bench_kb.py", [], ["--articles", "2000", "--rounds", "5"]),
    ("bench_standards_report.py", [], ["--days", "5", "--per-day", "2000"]),
)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="smaller sizes")
    parser.add_argument("--only", nargs="*", default=None, help="script names to run")
    args = parser.parse_args()
    failed = []
    for script, full, quick in BENCHMARKS:
        if args.only and script not in args.only and script.removesuffix(".py") not in args.only:
            continue
        argv = [sys.executable, str(HERE / script), *(quick if args.quick else full)]
        print(f"\n===== {script} {' '.join(argv[2:])}", flush=True)
        started = time.perf_counter()
        code = subprocess.call(argv)
        print(f"===== {script}: exit {code}, {time.perf_counter() - started:.1f} s", flush=True)
        if code:
            failed.append(script)
    if failed:
        print(f"failed: {', '.join(failed)}", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
