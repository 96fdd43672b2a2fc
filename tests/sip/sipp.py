"""Running SIPp callers and reading what they counted (load test and ringing benchmark).

:func:`write_calls` writes the injection file of ``scenarios/load_caller.xml`` (one line per
call: queue, calling number, ``stay`` or ``abandon``, domain); :func:`run_callers` runs SIPp
at a call rate into a proxy and returns :class:`SippResult`, read from SIPp's own files:

- ``-trace_stat`` (``-stf``): the last line's ``TotalCallCreated``, ``SuccessfulCall(C)``,
  ``FailedCall(C)``;
- ``-trace_counts``: per scenario step, how often a message was sent or received; the first
  ``<n>_200_Recv`` column is the INVITE's 200 OK (an answered call), ``<n>_CANCEL_Sent``
  the caller's hang-up before the answer (an abandon);
- ``-trace_rtt``: per call, the ``ring`` response time: INVITE sent -> 180 Ringing received
  (the agent's phone rings), in milliseconds.
"""

from __future__ import annotations

import csv
import math
import re
import shutil
import subprocess
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

SIPP = shutil.which("sipp") or "/usr/bin/sipp"
SCENARIO = Path(__file__).parent / "scenarios" / "load_caller.xml"


@dataclass(frozen=True)
class CallPlan:
    """One caller: the queue dialled, the calling number, whether they hang up unanswered."""

    queue: str
    number: str
    abandons: bool


@dataclass(frozen=True)
class SippResult:
    """What SIPp counted over a run (module docstring)."""

    created: int
    successful: int
    failed: int
    answered: int
    abandoned: int
    ring_ms: tuple[float, ...]
    returncode: int
    errors: str

    @property
    def completed_share(self) -> float:
        return self.successful / self.created if self.created else 0.0


def plan_calls(calls: int, queues: Sequence[str], numbers: Sequence[str],
               abandon_every: int) -> list[CallPlan]:
    """``calls`` callers round-robin over ``queues`` and ``numbers``; every ``abandon_every``-th
    hangs up before the answer (0: nobody does)."""
    if calls < 1 or not queues or not numbers:
        raise ValueError("calls must be >= 1 with at least one queue and one number")
    return [CallPlan(queues[i % len(queues)], numbers[i % len(numbers)],
                     abandon_every > 0 and i % abandon_every == abandon_every - 1)
            for i in range(calls)]


def write_calls(path: Path, plans: Sequence[CallPlan], domain: str) -> Path:
    lines = ["SEQUENTIAL"] + [f"{p.queue};{p.number};{'abandon' if p.abandons else 'stay'};{domain}"
                              for p in plans]
    path.write_text("\n".join(lines) + "\n")
    return path


def run_callers(workdir: Path, plans: Sequence[CallPlan], proxy: tuple[str, int], domain: str, *,
                rate: float, timeout_seconds: float, max_concurrent: int = 400) -> SippResult:
    """Place ``plans`` at ``rate`` calls/s into ``proxy``; blocks until SIPp is done."""
    workdir.mkdir(parents=True, exist_ok=True)
    for old in [*workdir.glob("*_counts.csv"), *workdir.glob("*_rtt.csv"),
                *workdir.glob("*_errors.log"), workdir / "stat.csv"]:
        old.unlink(missing_ok=True)  # one run's files only
    calls = write_calls(workdir / "calls.csv", plans, domain)
    stat = workdir / "stat.csv"
    command = [SIPP, "-sf", str(SCENARIO), "-inf", str(calls), f"{proxy[0]}:{proxy[1]}",
               "-i", "127.0.0.1", "-p", "0", "-r", f"{rate:g}", "-m", str(len(plans)),
               "-l", str(max_concurrent), "-nostdin", "-timer_resol", "1",
               "-trace_stat", "-stf", str(stat), "-fd", "1", "-trace_counts", "-trace_rtt",
               "-rtt_freq", "1", "-trace_err", "-timeout", f"{timeout_seconds:g}",
               "-timeout_error"]
    proc = subprocess.run(command, cwd=workdir, capture_output=True, text=True, check=False,
                          timeout=timeout_seconds + 30)
    last = _last_row(stat)
    counts = _last_row(_one(workdir, "_counts.csv"))
    answered = next((int(v) for k, v in counts.items() if re.fullmatch(r"\d+_200_Recv", k)), 0)
    abandoned = next((int(v) for k, v in counts.items() if re.fullmatch(r"\d+_CANCEL_Sent", k)), 0)
    ring = tuple(float(row["response_time_ms"]) for row in _rows(_one(workdir, "_rtt.csv"))
                 if row.get("rtd_no") == "ring")
    errors = "".join(p.read_text(errors="replace")[-3000:] for p in workdir.glob("*_errors.log"))
    return SippResult(created=int(last.get("TotalCallCreated", 0)),
                      successful=int(last.get("SuccessfulCall(C)", 0)),
                      failed=int(last.get("FailedCall(C)", 0)), answered=answered,
                      abandoned=abandoned, ring_ms=ring, returncode=proc.returncode,
                      errors=errors or proc.stderr[-3000:])


def _one(workdir: Path, suffix: str) -> Path | None:
    found = sorted(workdir.glob(f"*{suffix}"))
    return found[-1] if found else None


def _rows(path: Path | None) -> list[dict[str, str]]:
    if path is None or not path.exists():
        return []
    with path.open(newline="") as f:
        return list(csv.DictReader(f, delimiter=";"))


def _last_row(path: Path | None) -> dict[str, str]:
    rows = _rows(path)
    return rows[-1] if rows else {}


def percentile(values: Sequence[float], q: float) -> float:
    """The ``q``-quantile (0..1) by the nearest-rank method: the ceil(q*n)-th smallest value."""
    if not values:
        raise ValueError("no values")
    ordered = sorted(values)
    rank = max(1, math.ceil(round(q * len(ordered), 9)))  # round: 0.99 * 1000 is 990.0000000000001
    return ordered[min(rank, len(ordered)) - 1]
