"""`contactops simulate-outbound SCENARIO.json --days N --seed S --out RESULT.json`.

Simulates an outbound campaign (telesales, collections or service calls) in the scenario's
dialling mode (preview, progressive, predictive) over ``N`` days, on the routing engine,
with the contact rules of the scenario's country checked before every dial. RESULT.json
holds ``summary`` (``max_abandon_rate_24h``, ``abandon_rate_total``, ``agent_occupancy``,
``connects``, ``rule_violations``, ...) and ``per_day``. The scenario's fields are in the
README ("Outbound campaigns").
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Any

from app.cli import CliError
from app.cli.jsonfile import read_json_file

MAX_SCENARIO_BYTES = 1024 * 1024


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    parser = sub.add_parser(
        "simulate-outbound",
        help="simulate an outbound campaign (dialling mode, pacing, contact rules)",
        description=__doc__.splitlines()[0] if __doc__ else None,
    )
    parser.add_argument("scenario", type=Path, help="scenario JSON (see the README)")
    parser.add_argument("--days", "-d", type=int, default=1, help="days to simulate (default 1)")
    parser.add_argument("--seed", "-s", type=int, default=0, help="default 0")
    parser.add_argument("--out", "-o", type=Path, help="RESULT.json (default: standard output)")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    import numpy as np

    from simulations.outbound import simulate_outbound
    from simulations.outbound_scenario import (
        MAX_DAYS,
        OutboundScenarioError,
        scenario_from_dict,
    )

    data = read_json_file(args.scenario, max_bytes=MAX_SCENARIO_BYTES, what="scenario")
    try:
        scenario = scenario_from_dict(data)
    except OutboundScenarioError as exc:
        raise CliError(f"{args.scenario}: {exc}") from None
    if not 1 <= args.days <= MAX_DAYS:
        raise CliError(f"--days must be between 1 and {MAX_DAYS}")
    if args.seed < 0:
        raise CliError("--seed must not be negative")
    started = time.perf_counter()
    run_ = simulate_outbound(scenario, args.days, np.random.default_rng(args.seed))
    result: dict[str, Any] = {
        "scenario": data,
        "days": args.days,
        "seed": args.seed,
        "summary": run_.summary(),
        "per_day": run_.per_day(),
        "seconds": round(time.perf_counter() - started, 3),
    }
    text = json.dumps(result, indent=2, ensure_ascii=False)
    if args.out is None:
        sys.stdout.write(text + "\n")
    else:
        try:
            args.out.write_text(text + "\n", encoding="utf-8")
        except OSError as exc:
            raise CliError(f"cannot write {args.out}: {exc.strerror or exc}") from None
        s = result["summary"]
        print(f"{args.out}: {s['mode']}, {s['agents']} agents, {args.days} days: "
              f"{s['connects']:,} connects, abandoned {s['abandon_rate_total']:.2%} "
              f"(worst 24 h {s['max_abandon_rate_24h']:.2%}), occupancy "
              f"{s['agent_occupancy']:.1%}, rule violations {s['rule_violations']}")
    return 0
