"""The shifts one agent may work on one day: (skill, shift type, start) *options*.

An option is open when the skill is the agent's, the shift type allowed, the day not a day
off and the shift clear of the agent's unavailable hours. Shared by the assignment model,
the days-on patterns and the greedy start.
"""

from __future__ import annotations

from dataclasses import dataclass

from wfm.roster_problem import AgentContract, RosterProblem
from wfm.shift_types import MINUTES_PER_DAY

Group = tuple[int, str, str, int]  # (day, skill, shift type, start minute of the day)


@dataclass(frozen=True, slots=True)
class Option:
    day: int
    skill: str
    shift_type: str
    start: int  # minute of the day
    abs_start: int  # minutes from the horizon start
    abs_end: int
    paid_minutes: int

    @property
    def group(self) -> Group:
        return (self.day, self.skill, self.shift_type, self.start)


def agent_options(problem: RosterProblem, agent: AgentContract, day: int) -> list[Option]:
    """Options open to ``agent`` on ``day``: allowed skill and shift type, not a day off,
    clear of unavailable hours."""
    if day in agent.time_off or agent.days_per_week == 0:
        return []
    out: list[Option] = []
    for name in agent.shift_types:
        st = problem.shift_types[name]
        for start in st.starts():
            lo = day * MINUTES_PER_DAY + start
            hi = lo + st.length_minutes
            if any(a < hi and lo < b for a, b in agent.unavailable):
                continue
            out.extend(Option(day, k, name, start, lo, hi, st.paid_minutes) for k in agent.skills)
    return out
