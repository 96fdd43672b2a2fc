"""`contactops simulate SCENARIO.json --replications R --seed S --out RESULT.json`.

Runs ``R`` seeded replications of the scenario (format: docs/scenario.md) on a local
process pool (or a Dask cluster with ``--dask tcp://host:8786``) and writes the result:
``summary`` (means over replications), ``summary_ci`` (95 % t intervals), per-interval,
per-queue, per-tier and per-replication figures. ``--events-out`` writes replication 0's
event log as JSON lines (that replication then runs on the general path).
"""

from __future__ import annotations

import argparse
import json
import math
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TextIO

from app.cli import CliError
from app.cli.jsonfile import read_json_file

#: Maxima of the counts a user gives (README): every replication's summary is kept for the
#: confidence intervals and ``per_replication``, so their number bounds the memory used.
MAX_REPLICATIONS = 10_000
MAX_WORKERS = 256
#: A scenario file is a page of JSON; more is not a scenario (read before parsing).
MAX_SCENARIO_BYTES = 16 * 1024 * 1024


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    parser = sub.add_parser(
        "simulate",
        help="simulate a scenario (discrete-event, seeded replications)",
        description=__doc__.splitlines()[0] if __doc__ else None,
    )
    parser.add_argument("scenario", type=Path, help="scenario JSON (see docs/scenario.md)")
    parser.add_argument("--replications", "-r", type=int, default=10,
                        help=f"default 10, at most {MAX_REPLICATIONS:,}")
    parser.add_argument("--seed", "-s", type=int, default=0, help="default 0")
    parser.add_argument("--out", "-o", type=Path, help="RESULT.json (default: standard output)")
    parser.add_argument(
        "--workers", type=int, default=None,
        help=f"local processes (default: cores, at most {MAX_WORKERS})"
    )
    parser.add_argument(
        "--dask", metavar="ADDRESS", help="Dask scheduler, e.g. tcp://10.0.0.5:8786"
    )
    parser.add_argument(
        "--engine", choices=("auto", "fast", "general"), help="override the scenario's engine"
    )
    parser.add_argument("--events-out", type=Path, help="write replication 0's events (JSON lines)")
    parser.set_defaults(func=run)


def _load(path: Path) -> Any:
    return read_json_file(path, max_bytes=MAX_SCENARIO_BYTES, what="scenario")


def run(args: argparse.Namespace) -> int:
    from simulations.replications import DaskUnavailable, run_replications
    from simulations.results import json_ready
    from simulations.scenario import ScenarioError, parse_scenario

    if args.replications < 1:
        raise CliError(f"--replications must be >= 1, got {args.replications}")
    if args.replications > MAX_REPLICATIONS:
        raise CliError(
            f"--replications must be at most {MAX_REPLICATIONS:,}, got {args.replications}"
        )
    if args.workers is not None and args.workers > MAX_WORKERS:
        raise CliError(f"--workers must be at most {MAX_WORKERS}, got {args.workers}")
    if args.seed < 0:
        raise CliError(f"--seed must be >= 0, got {args.seed}")
    data = _load(args.scenario)
    if args.engine and isinstance(data, dict):
        data = {**data, "engine": args.engine}
    try:
        scenario = parse_scenario(data)
    except ScenarioError as exc:
        raise CliError(f"{args.scenario}: {exc}") from None
    started = time.perf_counter()
    try:
        doc, results = run_replications(
            scenario,
            args.replications,
            args.seed,
            workers=args.workers,
            dask_address=args.dask,
            keep_events_of_first=args.events_out is not None,
        )
    except DaskUnavailable as exc:
        raise CliError(str(exc)) from None
    except (ImportError, TypeError) as exc:  # e.g. routing policy options the engine rejects
        raise CliError(f"{args.scenario}: {exc}") from None
    wall = time.perf_counter() - started
    offered = sum(r.summary["offered"] for r in results)
    doc["summary"]["simulated_calls_per_second"] = offered / wall if wall > 0 else None
    doc["wall_seconds"] = wall
    text = json.dumps(json_ready(doc), indent=2)
    if args.events_out is not None:
        with _writing(args.events_out) as fh:
            for event in results[0].events:
                fh.write(json.dumps(event.to_json()) + "\n")
    if args.out is not None:
        with _writing(args.out) as fh:
            fh.write(text + "\n")
    if args.out is None:
        sys.stdout.write(text + "\n")
    else:
        s = doc["summary"]
        print(
            f"{args.replications} replication(s), {offered:.0f} calls in {wall:.2f} s "
            f"({doc['engine']} path): SL {_fmt(s['service_level'], '.3f')}, "
            f"ASA {_fmt(s['asa_seconds'], '.1f')} s, "
            f"abandoned {_fmt(s['p_abandon'], '.3%')} -> {args.out}",
            file=sys.stderr,
        )
    return 0


@contextmanager
def _writing(path: Path) -> Iterator[TextIO]:
    """A text file open for writing; any OS error, at open, write or close (a full disk),
    is one line naming the file."""
    try:
        with path.open("w", encoding="utf-8") as fh:
            yield fh
    except OSError as exc:
        raise CliError(f"cannot write {path}: {exc.strerror or exc}") from None


def _fmt(value: float | None, spec: str) -> str:
    """A figure for the one-line summary; undefined ones (no calls) read ``n/a``."""
    if value is None or math.isnan(value):
        return "n/a"
    return format(value, spec)
