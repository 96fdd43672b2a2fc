"""Roster builds in the background: one worker thread per job, progress polled, cancellable.

A job runs the planner's chain (:mod:`app.roster_chain`: history → forecast → staffing →
problem) or takes a ready PROBLEM.json, then :func:`wfm.schedule.build_schedule` with
``on_progress`` (each improving CP-SAT solution is recorded) and ``stop`` (a cancel ends the
search with the best roster so far). A roster that comes out is saved as a new draft
(:func:`app.rosters.create_roster`) whose id the job then names.

Limits (documented in the API): one running job per user (409 for a second), at most
:data:`MAX_RUNNING_JOBS` running overall (429: the machine's cores are what the solver
uses), the :data:`MAX_KEPT_JOBS` most recent finished jobs kept in memory, the last
:data:`MAX_PROGRESS` progress reports of a job kept. Jobs live in the server process: a
restart forgets running jobs (their drafts, once saved, stay in the database).
"""

from __future__ import annotations

import logging
import secrets
import threading
from collections import OrderedDict
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any, Literal

from sqlalchemy.engine import Engine
from sqlmodel import Session

from app.api.errors import Conflict, TooManyRequests
from app.roster_chain import ChainError, ChainSpec, build_problem
from app.rosters import create_roster
from wfm.cp_sat_run import SolveProgress
from wfm.roster_problem import parse_roster_problem
from wfm.schedule import Infeasible, build_schedule

log = logging.getLogger("contactops.rosters")

MAX_RUNNING_JOBS = 2
MAX_KEPT_JOBS = 50
MAX_PROGRESS = 200

class _Cancelled(Exception):
    """Raised inside the chain when the job's stop event is set."""


JobState = Literal["running", "done", "cancelled", "failed"]


@dataclass
class RosterJob:
    id: str
    user_id: int
    name: str
    created_at: datetime
    state: JobState = "running"
    step: str = "starting"
    done: int = 0
    total: int = 0
    progress: list[dict[str, Any]] = field(default_factory=list)
    error: str | None = None
    error_field: str | None = None
    reasons: list[str] = field(default_factory=list)
    version_id: int | None = None
    stop: threading.Event = field(default_factory=threading.Event)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def report(self, step: str, done: int, total: int) -> None:
        with self.lock:
            self.step, self.done, self.total = step, done, total

    def record(self, p: SolveProgress) -> None:
        with self.lock:
            self.step = p.phase
            self.progress.append(
                {
                    "phase": p.phase,
                    "solutions": p.solutions,
                    "objective": round(p.objective, 4),
                    "best_bound": round(p.best_bound, 4),
                    "wall_seconds": round(p.wall_seconds, 3),
                }
            )
            del self.progress[:-MAX_PROGRESS]

    def to_json(self) -> dict[str, Any]:
        with self.lock:
            return {
                "id": self.id,
                "name": self.name,
                "state": self.state,
                "step": self.step,
                "done": self.done,
                "total": self.total,
                "progress": list(self.progress),
                "error": self.error,
                "error_field": self.error_field,
                "reasons": list(self.reasons),
                "version_id": self.version_id,
                "created_at": self.created_at.isoformat(),
            }


class RosterJobs:
    """The jobs of one app (kept on ``app.state.roster_jobs``)."""

    def __init__(self, engine: Engine, max_running: int = MAX_RUNNING_JOBS) -> None:
        self.engine = engine
        self.max_running = max_running
        self.jobs: OrderedDict[str, RosterJob] = OrderedDict()
        self.threads: dict[str, threading.Thread] = {}
        self.lock = threading.Lock()

    def get(self, job_id: str) -> RosterJob | None:
        with self.lock:
            return self.jobs.get(job_id)

    def of_user(self, user_id: int) -> list[RosterJob]:
        with self.lock:
            return [j for j in self.jobs.values() if j.user_id == user_id]

    def start(
        self,
        user_id: int,
        name: str,
        *,
        chain: ChainSpec | None = None,
        problem: Mapping[str, Any] | None = None,
    ) -> RosterJob:
        """Start a job on ``chain`` or on a ready ``problem`` (exactly one)."""
        assert (chain is None) != (problem is None)
        with self.lock:
            running = [j for j in self.jobs.values() if j.state == "running"]
            if any(j.user_id == user_id for j in running):
                raise Conflict("you already have a roster being built: wait for it or cancel it")
            if len(running) >= self.max_running:
                raise TooManyRequests(
                    f"{len(running)} rosters are being built (at most {self.max_running} at"
                    " once); try again when one has finished",
                    headers={"Retry-After": "10"},
                )
            job = RosterJob(secrets.token_urlsafe(9), user_id, name, datetime.now(UTC))
            self.jobs[job.id] = job
            self._forget_old()
            thread = threading.Thread(
                target=self._run, args=(job, chain, problem), name=f"roster-{job.id}", daemon=True
            )
            self.threads[job.id] = thread
        thread.start()
        return job

    def _forget_old(self) -> None:
        finished = [k for k, j in self.jobs.items() if j.state != "running"]
        for key in finished[: max(0, len(self.jobs) - MAX_KEPT_JOBS)]:
            del self.jobs[key]
            self.threads.pop(key, None)

    def wait(self, job_id: str, timeout: float | None = None) -> bool:
        """Wait for a job's thread to end (tests, shutdown); True when it has."""
        thread = self.threads.get(job_id)
        if thread is None:
            return True
        thread.join(timeout)
        return not thread.is_alive()

    def _finish(self, job: RosterJob, state: JobState, **fields: Any) -> None:
        with job.lock:
            job.state = state
            for key, value in fields.items():
                setattr(job, key, value)

    def _run(
        self, job: RosterJob, chain: ChainSpec | None, given: Mapping[str, Any] | None
    ) -> None:
        try:
            self._work(job, chain, given)
        except Exception as exc:  # the thread must end in a final state whatever happens
            log.exception("roster job %s failed", job.id)
            self._finish(job, "failed", error=f"internal error: {type(exc).__name__}")

    def _work(
        self, job: RosterJob, chain: ChainSpec | None, given: Mapping[str, Any] | None
    ) -> None:
        with Session(self.engine) as session:
            if chain is not None:
                try:
                    problem_json = build_problem(session, chain, self._reporter(job))
                except ChainError as exc:
                    self._finish(job, "failed", error=exc.message, error_field=exc.field)
                    return
                except _Cancelled:
                    self._finish(job, "cancelled", step="cancelled")
                    return
            else:
                assert given is not None
                problem_json = dict(given)
            session.commit()  # no connection held while the solver works
            if job.stop.is_set():
                self._finish(job, "cancelled", step="cancelled")
                return
            try:
                problem = parse_roster_problem(problem_json)
            except ValueError as exc:
                self._finish(job, "failed", error=str(exc), error_field="problem")
                return
            job.report("solve", 0, 1)
            result = build_schedule(problem, on_progress=job.record, stop=job.stop)
            if isinstance(result, Infeasible):
                state: JobState = "cancelled" if job.stop.is_set() else "failed"
                self._finish(job, state, error="no roster", reasons=list(result.reasons))
                return
            version = create_roster(
                session,
                name=job.name,
                start_day=problem.start,
                days=problem.days,
                problem=problem_json,
                roster=result.to_json(),
                user_id=job.user_id,
                now=datetime.now(UTC),
            )
            self._finish(
                job,
                "cancelled" if job.stop.is_set() else "done",
                version_id=version.id,
                step="saved",
            )

    def _reporter(self, job: RosterJob) -> Callable[[str, int, int], None]:
        def report(step: str, done: int, total: int) -> None:
            if job.stop.is_set():
                raise _Cancelled
            job.report(step, done, total)

        return report


_REGISTRY_LOCK = threading.Lock()


def jobs_of(state: Any) -> RosterJobs:
    """The app's job registry, made on first use."""
    with _REGISTRY_LOCK:
        jobs = getattr(state, "roster_jobs", None)
        if jobs is None:
            jobs = RosterJobs(state.engine)
            state.roster_jobs = jobs
        return jobs


def default_name(start: date, days: int) -> str:
    return f"{start.isoformat()} +{days}d"
