"""Running one CP-SAT model: limits, progress reports and an early stop from another thread.

Solver options are set only through ``solver.parameters`` (``max_time_in_seconds``,
``num_workers``, ``random_seed``); plain attributes such as ``solver.num_search_workers``
are silently ignored by OR-Tools 9.x. Each improving solution is reported as a
:class:`SolveProgress`. A ``stop`` event set by another thread ends the search at the next
solution found (or at once when one is already known): with ``need_solution`` the search
goes on until the first solution, so that a roster can always be returned.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from ortools.sat.python import cp_model

POLL_SECONDS = 0.05  # how often the watcher looks at the stop event


@dataclass(frozen=True, slots=True)
class SolveProgress:
    """One improving solution of one phase (``tours``, ``assign`` or ``breaks``)."""

    phase: str
    solutions: int
    objective: float
    best_bound: float
    wall_seconds: float


@dataclass(frozen=True)
class RunOptions:
    time_limit_seconds: float
    num_workers: int = 0
    random_seed: int = 0
    on_progress: Callable[[SolveProgress], None] | None = None
    stop: threading.Event | None = None
    started: float = 0.0  # perf_counter() at the start of the whole build, for wall_seconds
    need_solution: bool = True


class _Reporter(cp_model.CpSolverSolutionCallback):
    def __init__(self, phase: str, options: RunOptions) -> None:
        super().__init__()
        self.phase = phase
        self.options = options
        self.solutions = 0

    def on_solution_callback(self) -> None:
        self.solutions += 1
        if self.options.on_progress is not None:
            self.options.on_progress(
                SolveProgress(
                    self.phase,
                    self.solutions,
                    float(self.objective_value),
                    float(self.best_objective_bound),
                    time.perf_counter() - self.options.started,
                )
            )
        if self.options.stop is not None and self.options.stop.is_set():
            self.stop_search()


def make_solver(options: RunOptions) -> cp_model.CpSolver:
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = max(0.01, options.time_limit_seconds)
    solver.parameters.num_workers = options.num_workers
    solver.parameters.random_seed = options.random_seed
    return solver


def solve(
    model: cp_model.CpModel, phase: str, options: RunOptions
) -> tuple[cp_model.CpSolver, cp_model.CpSolverStatus]:
    """Solve ``model``; returns the solver (for values) and the CP-SAT status."""
    solver = make_solver(options)
    reporter = _Reporter(phase, options)
    done = threading.Event()
    watcher = None
    if options.stop is not None:
        watcher = threading.Thread(
            target=_watch, args=(solver, reporter, options, done), daemon=True
        )
        watcher.start()
    try:
        status = solver.solve(model, reporter)
    finally:
        done.set()
        if watcher is not None:
            watcher.join()
    return solver, status


def _watch(
    solver: cp_model.CpSolver, reporter: _Reporter, options: RunOptions, done: threading.Event
) -> None:
    assert options.stop is not None
    while not done.wait(POLL_SECONDS):
        if options.stop.is_set() and (reporter.solutions > 0 or not options.need_solution):
            solver.stop_search()
            return
