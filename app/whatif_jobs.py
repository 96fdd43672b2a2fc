"""Schedule simulations (what-if) in the background: one thread per job, progress polled.

A job rehearses one or two scenarios (:mod:`simulations.roster_scenario`) with the same
seed, so the two see the same callers where their volumes agree (paired comparison). Each
scenario's replications run on the local process pool, or on the Dask cluster named by the
setting ``CONTACTOPS_DASK_ADDRESS`` (:func:`simulations.replications.run_replications`).

Limits: :data:`MAX_RUNNING_JOBS` running at once (429 beyond: the replications use every
core), the :data:`MAX_KEPT_JOBS` most recent jobs kept in memory. Jobs live in the server
process; a restart forgets them.
"""

from __future__ import annotations

import logging
import secrets
import threading
from collections import OrderedDict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from app.api.errors import TooManyRequests
from simulations.replications import DaskUnavailable, run_replications
from simulations.results import json_ready
from simulations.roster_scenario import Rehearsal, WhatIf, interval_bands, roster_scenario
from simulations.scenario import parse_scenario

log = logging.getLogger("contactops.whatif")

MAX_RUNNING_JOBS = 1
MAX_KEPT_JOBS = 20
SUMMARY_FIGURES = ("offered", "answered", "abandoned", "service_level", "asa_seconds", "p_abandon")

JobState = Literal["running", "done", "failed"]


@dataclass(frozen=True)
class ScenarioSpec:
    name: str
    shifts: Sequence[Mapping[str, Any]]
    what_if: WhatIf


@dataclass
class WhatIfJob:
    id: str
    user_id: int
    state: JobState = "running"
    done: int = 0
    total: int = 0
    error: str | None = None
    result: dict[str, Any] | None = None
    lock: threading.Lock = field(default_factory=threading.Lock)

    def public(self) -> dict[str, Any]:
        with self.lock:
            return {
                "id": self.id,
                "state": self.state,
                "done": self.done,
                "total": self.total,
                "error": self.error,
                "result": self.result,
            }


class WhatIfJobs:
    """The server's what-if jobs (on ``app.state.whatif_jobs``)."""

    def __init__(self) -> None:
        self._jobs: OrderedDict[str, WhatIfJob] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, job_id: str) -> WhatIfJob | None:
        with self._lock:
            return self._jobs.get(job_id)

    def start(
        self,
        user_id: int,
        rehearsal: Rehearsal,
        scenarios: Sequence[ScenarioSpec],
        *,
        replications: int,
        seed: int,
        dask_address: str | None,
        workers: int | None = None,
    ) -> WhatIfJob:
        """Check every scenario (ValueError naming the scenario), then run them in a thread."""
        parsed = []
        for i, spec in enumerate(scenarios):
            try:
                doc = roster_scenario(spec.shifts, rehearsal, spec.what_if)
                parsed.append((spec.name, parse_scenario(doc)))
            except ValueError as exc:  # ScenarioError is one
                raise ValueError(f"scenarios[{i}]: {exc}") from None
        with self._lock:
            running = sum(j.state == "running" for j in self._jobs.values())
            if running >= MAX_RUNNING_JOBS:
                raise TooManyRequests(
                    f"{running} schedule simulation(s) running; at most {MAX_RUNNING_JOBS} at once"
                )
            job = WhatIfJob(secrets.token_hex(8), user_id, total=replications * len(parsed))
            self._jobs[job.id] = job
            while len(self._jobs) > MAX_KEPT_JOBS:
                oldest = next(iter(self._jobs))
                if self._jobs[oldest].state == "running":
                    break
                del self._jobs[oldest]
        args = (job, parsed, replications, seed, dask_address, workers)
        threading.Thread(target=_run, args=args, name=f"whatif-{job.id}", daemon=True).start()
        return job


def _run(
    job: WhatIfJob,
    parsed: Sequence[tuple[str, Any]],
    replications: int,
    seed: int,
    dask_address: str | None,
    workers: int | None,
) -> None:
    out = []
    try:
        for k, (name, scenario) in enumerate(parsed):

            def progress(n: int, k: int = k) -> None:
                with job.lock:
                    job.done = k * replications + n

            doc, _ = run_replications(
                scenario,
                replications,
                seed,
                workers=workers,
                dask_address=dask_address,
                progress=progress,
            )
            out.append(
                {
                    "name": name,
                    "summary": {f: doc["summary"].get(f) for f in SUMMARY_FIGURES},
                    "summary_ci": {f: doc["summary_ci"].get(f) for f in SUMMARY_FIGURES},
                    "intervals": interval_bands(doc),
                }
            )
    except (DaskUnavailable, OSError, ValueError) as exc:
        log.warning("schedule simulation %s failed: %s", job.id, exc)
        with job.lock:
            job.state, job.error = "failed", str(exc)
        return
    with job.lock:
        job.result = json_ready({"replications": replications, "seed": seed, "scenarios": out})
        job.state = "done"
