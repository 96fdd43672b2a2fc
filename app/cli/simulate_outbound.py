"""`contactops simulate-outbound SCENARIO.json --days N --seed S --out RESULT.json`, or
`contactops simulate-outbound --campaign NAME [--mode MODE] --days N --seed S --out RESULT.json`.

Simulates an outbound campaign (telesales, collections or service calls) in the scenario's
dialling mode (preview, progressive, predictive) over ``N`` days, on the routing engine,
with the contact rules of the scenario's country checked before every dial. RESULT.json
holds ``summary`` (``max_abandon_rate_24h``, ``abandon_rate_total``, ``agent_occupancy``,
``connects``, ``rule_violations``, ...) and ``per_day``. The scenario's fields are in the
README ("Outbound campaigns").

With ``--campaign NAME`` the scenario is the database's campaign
(:func:`app.campaign_scenario.campaign_scenario`: its type, country and mode, today's list
size, its agents and hours, the answer rate and handle time of its recent dials), in
``--mode`` when given, so a planner compares modes on their own campaign. RESULT.json then
also holds ``campaign``: where each figure came from.
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
    parser.add_argument("scenario", type=Path, nargs="?",
                        help="scenario JSON (see the README); or --campaign")
    parser.add_argument("--campaign", metavar="NAME",
                        help="simulate this campaign of the database instead of a file")
    parser.add_argument("--mode", choices=("preview", "progressive", "predictive"),
                        help="with --campaign: the dialling mode (default: the campaign's)")
    parser.add_argument("--url", help="with --campaign: database URL "
                        "(default: CONTACTOPS_DATABASE_URL)")
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

    source: dict[str, Any] | None = None
    if (args.scenario is None) == (args.campaign is None):
        raise CliError("give a SCENARIO.json file or --campaign NAME (one of them)")
    if args.campaign is None and args.mode is not None:
        raise CliError("--mode goes with --campaign (a scenario file names its mode)")
    if args.campaign is not None:
        data, source = _campaign(args)
        where = f"--campaign {args.campaign}"
    else:
        data = read_json_file(args.scenario, max_bytes=MAX_SCENARIO_BYTES, what="scenario")
        where = str(args.scenario)
    try:
        scenario = scenario_from_dict(data)
    except OutboundScenarioError as exc:
        raise CliError(f"{where}: {exc}") from None
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
    if source is not None:
        result["campaign"] = source
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


def _campaign(args: argparse.Namespace) -> tuple[dict[str, Any], dict[str, Any]]:
    """The scenario of ``--campaign`` (read from the database) and its sources."""
    from datetime import UTC, datetime

    from sqlalchemy.exc import OperationalError, ProgrammingError
    from sqlmodel import Session

    from app.campaign_scenario import CampaignScenarioError, campaign_scenario
    from app.db import make_engine
    from app.settings import Settings

    engine = make_engine(args.url or Settings().database_url)
    try:
        with Session(engine) as session:
            return campaign_scenario(session, args.campaign, datetime.now(UTC), args.mode)
    except CampaignScenarioError as exc:
        raise CliError(str(exc)) from None
    except (OperationalError, ProgrammingError) as exc:
        raise CliError(f"cannot read the campaign: {str(exc.orig).splitlines()[0]}") from None
    finally:
        engine.dispose()
