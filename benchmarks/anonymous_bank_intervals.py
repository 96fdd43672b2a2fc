"""Convert the Anonymous Bank call-by-call month into interval history (start,offered,aht_seconds).

Source: Technion SEE Lab "Anonymous Bank" (Brown et al., JASA 2005), February 1999, as in
/work/shared/data/anonymous_bank_1999 (tab-separated, one row per call; see its README).

* A call arrives at the queue when it leaves the VRU (``vru_exit``); its interval is the one
  containing that time on ``date`` (YYMMDD).
* PHANTOM rows are dropped; AGENT (answered) and HANG (abandoned) rows are offered calls.
* ``aht_seconds`` is the mean ``ser_time`` of the answered (AGENT) calls of the interval
  (empty when none was answered).
* Only intervals with at least one call are written ("closed intervals may be absent").

Usage::

    python benchmarks/anonymous_bank_intervals.py [SOURCE.txt] --interval-minutes 60 --out bank_60.csv
"""

from __future__ import annotations

import argparse
import csv
import io
import sys
from collections import defaultdict
from datetime import datetime, timedelta
from pathlib import Path
from typing import TextIO

DEFAULT_SOURCE = (
    Path(__file__).resolve().parents[2]
    / "shared"
    / "data"
    / "anonymous_bank_1999"
    / "data_anonymous_bank_february.txt"
)


def convert(source: Path, interval_minutes: int, out: TextIO) -> int:
    """Write the interval CSV to ``out``; return the number of interval rows written."""
    offered: dict[datetime, int] = defaultdict(int)
    service: dict[datetime, list[float]] = defaultdict(list)
    with open(source, newline="", encoding="latin-1") as handle:
        reader = csv.DictReader(handle, delimiter="\t")
        for row in reader:
            outcome = row["outcome"].strip()
            if outcome == "PHANTOM":
                continue
            day = datetime.strptime(row["date"].strip(), "%y%m%d")
            h, m, _s = (int(x) for x in row["vru_exit"].strip().split(":"))
            minute = (h * 60 + m) // interval_minutes * interval_minutes
            start = day + timedelta(minutes=minute)
            offered[start] += 1
            if outcome == "AGENT":
                service[start].append(float(row["ser_time"]))
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["start", "offered", "aht_seconds"])
    for start in sorted(offered):
        times = service.get(start, [])
        aht = f"{sum(times) / len(times):.1f}" if times else ""
        writer.writerow([start.isoformat(timespec="seconds"), offered[start], aht])
    return len(offered)


def convert_to_text(source: Path, interval_minutes: int) -> str:
    buffer = io.StringIO()
    convert(source, interval_minutes, buffer)
    return buffer.getvalue()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("source", nargs="?", type=Path, default=DEFAULT_SOURCE)
    parser.add_argument("--interval-minutes", type=int, default=60)
    parser.add_argument("--out", type=Path, default=None, help="output CSV (default: stdout)")
    args = parser.parse_args(argv)
    if (24 * 60) % args.interval_minutes:
        parser.error("--interval-minutes must divide the day")
    if args.out is None:
        convert(args.source, args.interval_minutes, sys.stdout)
    else:
        with open(args.out, "w", newline="", encoding="utf-8") as out:
            n = convert(args.source, args.interval_minutes, out)
        print(f"wrote {n} intervals to {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
