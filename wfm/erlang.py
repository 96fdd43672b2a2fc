"""Erlang figures for staffing, in one place: the functions of :mod:`wfm.erlang_b`,
:mod:`wfm.erlang_c`, :mod:`wfm.erlang_a` and :mod:`wfm.staffing`, imported here so that
``from wfm.erlang import erlang_c, erlang_a, required_agents`` works (the names issue 3
promised). Each concept lives in its own module, and none of them imports this one, so
there is no import cycle to hide: the imports below are plain.

- Erlang B (M/M/n/n) and the checks of the inputs: :mod:`wfm.erlang_b`;
- Erlang C (M/M/n): P(wait), service level, ASA, occupancy: :mod:`wfm.erlang_c`;
- Erlang A (M/M/n+M, Garnett, Mandelbaum and Reiman 2002): :mod:`wfm.erlang_a`;
- required agents for service-level, ASA, abandonment and occupancy targets:
  :mod:`wfm.staffing`.
"""

from __future__ import annotations

from wfm.erlang_a import ErlangA, erlang_a
from wfm.erlang_b import (
    MAX_AGENTS,
    MAX_LOAD_ERLANGS,
    erlang_b,
    inverse_erlang_b,
    overflow_steps,
)
from wfm.erlang_c import average_speed_of_answer, erlang_c, occupancy, service_level
from wfm.staffing import StaffingResult, StaffingTargets, required_agents

__all__ = [
    "MAX_AGENTS",
    "MAX_LOAD_ERLANGS",
    "ErlangA",
    "StaffingResult",
    "StaffingTargets",
    "average_speed_of_answer",
    "erlang_a",
    "erlang_b",
    "erlang_c",
    "inverse_erlang_b",
    "occupancy",
    "overflow_steps",
    "required_agents",
    "service_level",
]
