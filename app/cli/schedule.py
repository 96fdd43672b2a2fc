"""`contactops schedule PROBLEM.json --out ROSTER.json`: a roster from the OR-Tools solver.

Reads the roster problem (required agents per interval and skill, shift types, agents and
rules; see :mod:`wfm.roster_problem` and the README), builds the roster with
:func:`wfm.schedule.build_schedule` and writes ROSTER.json (``status``, ``objective``,
``best_bound``, ``gap``, ``shifts``, ``coverage``, ``under_coverage``, ``over_coverage``).
An infeasible problem exits with code 1 and one line naming what binds; the same reasons go
to ROSTER.json. Bad input exits with code 2 and one line naming the field.
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import replace
from pathlib import Path

from app.cli import CliError
from app.cli.jsonfile import read_json_file
from wfm.roster_problem import (
    MAX_TIME_LIMIT_SECONDS,
    MAX_WORKERS,
    RosterProblem,
    parse_roster_problem,
)
from wfm.schedule import Infeasible, build_schedule

MAX_PROBLEM_BYTES = 64 * 1024 * 1024  # a larger PROBLEM.json is not a roster problem


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    parser = sub.add_parser(
        "schedule",
        help="build a roster (shifts, breaks, lunch) from required agents per interval",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("problem", metavar="PROBLEM.json", type=Path)
    parser.add_argument("--out", type=Path, required=True, metavar="ROSTER.json")
    parser.add_argument(
        "--time-limit", type=float, metavar="SECONDS", help="override time_limit_seconds"
    )
    parser.add_argument("--workers", type=int, metavar="N", help="override num_workers")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    problem = _with_overrides(read_problem(args.problem), args)
    result = build_schedule(problem)
    payload = json.dumps(result.to_json(), ensure_ascii=False, indent=1)
    write_text(args.out, payload + "\n")
    if isinstance(result, Infeasible):
        more = (
            f" (+{len(result.reasons) - 1} more in {args.out})" if len(result.reasons) > 1 else ""
        )
        print(f"contactops schedule: infeasible: {result.reasons[0]}{more}", file=sys.stderr)
        return 1
    print(
        f"{result.status}: {len(result.shifts)} shifts for {len(problem.agents)} agents; "
        f"under {sum(result.coverage.under.values()):.1f}, over "
        f"{sum(result.coverage.over.values()):.1f} agent-intervals; gap {result.gap:.2%} "
        f"-> {args.out}"
    )
    return 0


def _with_overrides(problem: RosterProblem, args: argparse.Namespace) -> RosterProblem:
    if args.time_limit is not None:
        if not 0 < args.time_limit <= MAX_TIME_LIMIT_SECONDS:
            raise CliError(f"--time-limit must be > 0 and at most {MAX_TIME_LIMIT_SECONDS:g}")
        problem = replace(problem, time_limit_seconds=args.time_limit)
    if args.workers is not None:
        if not 0 <= args.workers <= MAX_WORKERS:
            raise CliError(f"--workers must be between 0 and {MAX_WORKERS}")
        problem = replace(problem, num_workers=args.workers)
    return problem


def read_problem(path: Path) -> RosterProblem:
    """PROBLEM.json parsed and checked; every failure a one-line CliError."""
    data = read_json_file(path, max_bytes=MAX_PROBLEM_BYTES, what="roster problem")
    if not isinstance(data, dict):
        raise CliError(f"{path}: must hold a JSON object")
    try:
        return parse_roster_problem(data)
    except ValueError as exc:
        raise CliError(f"{path}: {exc}") from None


def write_text(path: Path, text: str) -> None:
    try:
        with path.open("w", encoding="utf-8") as fh:
            fh.write(text)
    except OSError as exc:
        raise CliError(f"cannot write {path}: {exc.strerror or exc}") from None
