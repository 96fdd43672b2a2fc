"""Which contacts to evaluate: a random sample per agent, or the contacts a rule picks.

The candidates are answered contacts from the interaction log (one :class:`Candidate` per
contact: its agent, its handle time, and two flags). What a flag rests on:

* ``transferred`` — the contact has a ``ContactTransferred`` event (the interaction row
  carries no transfer count; the caller reads the event log);
* ``complaint`` — the contact has a ``ComplaintRecorded`` event (likewise not on the row
  yet; where the log holds none, no contact is flagged and the rule picks nothing).

Rules (:data:`RuleName`):

* ``long_calls`` — handle time (talk, hold and wrap-up, the row's ``handle_seconds``) over
  ``min_handle_seconds``; contacts without a known handle time are left out;
* ``transfers`` — flagged ``transferred``;
* ``complaints`` — flagged ``complaint``.

Chance is an argument (a seeded ``np.random.Generator``), so a sample can be drawn again.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Literal, get_args

import numpy as np

RuleName = Literal["long_calls", "transfers", "complaints"]
RULES: tuple[RuleName, ...] = get_args(RuleName)
#: Most contacts drawn per agent in one sample (a person scores each one by hand).
MAX_PER_AGENT = 50


@dataclass(frozen=True, slots=True)
class Candidate:
    contact_id: str
    agent_id: int
    arrived_at: float
    handle_seconds: float | None = None
    transferred: bool = False
    complaint: bool = False


def random_sample_per_agent(
    candidates: Iterable[Candidate], per_agent: int, rng: np.random.Generator
) -> list[Candidate]:
    """Up to ``per_agent`` contacts of each agent, drawn without replacement.

    Agents are taken in id order and each agent's contacts in arrival order before the
    draw, so the same seed on the same candidates gives the same sample. An agent with
    fewer contacts gives all of them. Result ordered by agent, then arrival.
    """
    if not isinstance(per_agent, int) or not 1 <= per_agent <= MAX_PER_AGENT:
        raise ValueError(f"per_agent must be 1-{MAX_PER_AGENT}, got {per_agent!r}")
    by_agent: dict[int, list[Candidate]] = {}
    for c in candidates:
        by_agent.setdefault(c.agent_id, []).append(c)
    chosen: list[Candidate] = []
    for agent_id in sorted(by_agent):
        pool = sorted(by_agent[agent_id], key=lambda c: (c.arrived_at, c.contact_id))
        if len(pool) <= per_agent:
            chosen.extend(pool)
            continue
        picks = sorted(rng.choice(len(pool), size=per_agent, replace=False).tolist())
        chosen.extend(pool[i] for i in picks)
    return chosen


def matches(candidate: Candidate, rule: RuleName, min_handle_seconds: float = 600.0) -> bool:
    """Whether the rule picks ``candidate`` (see the module docstring)."""
    if rule == "long_calls":
        h = candidate.handle_seconds
        return h is not None and h > min_handle_seconds
    if rule == "transfers":
        return candidate.transferred
    return candidate.complaint


def sample_by_rule(
    candidates: Sequence[Candidate], rule: RuleName, *, min_handle_seconds: float = 600.0
) -> list[Candidate]:
    """Every candidate the rule picks, in arrival order."""
    if rule not in RULES:
        raise ValueError(f"rule must be one of {RULES}, got {rule!r}")
    if not min_handle_seconds >= 0:
        raise ValueError(f"min_handle_seconds must be >= 0, got {min_handle_seconds!r}")
    picked = [c for c in candidates if matches(c, rule, min_handle_seconds)]
    return sorted(picked, key=lambda c: (c.arrived_at, c.contact_id))
