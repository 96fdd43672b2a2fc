"""The center's people and queues: 80 agents on two sites, their skills, users and queues.

- agents agent01..agent80: 01–48 in Seoul, 49–80 in Busan, in teams of about ten;
  career levels 1–5 (most juniors, few seniors);
- skills over the queues with proficiency 1–5 near the agent's career level: everyone
  takes deposits and cards, most loans; fx and collections are specialist skills; the
  most senior agents take vip and are the relationship managers of the top tiers;
- users agent01..agent80 (role agent, linked to their Agent), supervisor01, supervisor02,
  planner01, qa01 and admin, all with one argon2 hash of the demo password;
- queues with service-level goals per tier: 90 % in 10 s for the top tiers, 80 % in 20 s
  for the others.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from app.seed.names import korean_names
from app.seed.tiers import TIERS
from routing.events import VIP_TIERS, ServiceLevelGoal, default_goal

QUEUES: tuple[str, ...] = ("deposits", "loans", "cards", "fx", "collections", "vip")
N_AGENTS = 80
SEOUL_AGENTS = 48
TEAM_SIZE = 10
N_VIP_AGENTS = 12
CAREER_P = (0.25, 0.30, 0.25, 0.13, 0.07)  # levels 1..5
STAFF_USERS: tuple[tuple[str, str], ...] = (
    ("supervisor01", "supervisor"),
    ("supervisor02", "supervisor"),
    ("planner01", "planner"),
    ("qa01", "qa"),
    ("admin", "admin"),
)


def goal_json(goal: ServiceLevelGoal) -> dict[str, float]:
    """A goal as the ``queue`` table's JSON holds it."""
    return {"target": goal.target, "threshold_seconds": goal.threshold_seconds}


#: The seeded goals are the one goals table's defaults (:func:`routing.events.default_goal`),
#: which routing, the wallboard and the QA report also fall back to.
VIP_GOAL = goal_json(default_goal(VIP_TIERS[0]))
STANDARD_GOAL = goal_json(default_goal("core"))
#: Tiers whose calls have the VIP goal (90 % in 10 s): :data:`routing.events.VIP_TIERS`.
#: Gold is a top-7 % revenue tier (relationship managers) but is answered to the standard goal.
VIP_GOAL_TIERS: tuple[str, ...] = VIP_TIERS


@dataclass(frozen=True)
class Staff:
    """What the rest of the seed needs to know about the agents."""

    agent_ids: np.ndarray
    logins: np.ndarray
    skilled: dict[str, np.ndarray]  # queue -> ids of agents with that skill
    manager_ids: np.ndarray  # relationship managers of the VIP tiers


def agent_rows(rng: np.random.Generator) -> tuple[list[dict[str, object]], list[dict[str, object]], Staff]:
    """Rows for ``agent`` and ``agentskill``, and the :class:`Staff` summary."""
    ids = np.arange(1, N_AGENTS + 1)
    names = korean_names(rng, N_AGENTS)
    career = rng.choice(np.arange(1, 6), size=N_AGENTS, p=CAREER_P)
    vip = np.argsort(-(career + rng.random(N_AGENTS)))[:N_VIP_AGENTS]
    career[vip] = np.maximum(career[vip], 4)
    agents: list[dict[str, object]] = []
    skills: list[dict[str, object]] = []
    skilled: dict[str, list[int]] = {q: [] for q in QUEUES}
    for i, agent_id in enumerate(ids.tolist()):
        site = "seoul" if agent_id <= SEOUL_AGENTS else "busan"
        index_on_site = i if site == "seoul" else i - SEOUL_AGENTS
        agents.append({
            "id": agent_id,
            "login": f"agent{agent_id:02d}",
            "name": str(names[i]),
            "site": site,
            "team": f"{site}-{index_on_site // TEAM_SIZE + 1}",
            "career_level": int(career[i]),
            "active": True,
        })
        for queue in _skills_of(rng, i, vip):
            proficiency = int(np.clip(career[i] + rng.integers(-1, 2), 1, 5))
            skills.append({"agent_id": agent_id, "skill": queue, "proficiency": proficiency})
            skilled[queue].append(agent_id)
    staff = Staff(
        agent_ids=ids,
        logins=np.array([a["login"] for a in agents], dtype=object),
        skilled={q: np.array(v, dtype=np.int64) for q, v in skilled.items()},
        manager_ids=np.array(sorted(ids[vip].tolist()), dtype=np.int64),
    )
    return agents, skills, staff


def _skills_of(rng: np.random.Generator, i: int, vip: np.ndarray) -> list[str]:
    queues = ["deposits", "cards"]
    if rng.random() < 0.65:
        queues.append("loans")
    if i % 7 == 3:  # about one in seven: foreign exchange desk
        queues.append("fx")
    if i % 8 == 5:  # about one in eight: collections
        queues.append("collections")
    if i in set(vip.tolist()):
        queues.append("vip")
    return queues


def user_rows(agents: list[dict[str, object]], password_hash: str) -> list[dict[str, object]]:
    users = [
        {"username": a["login"], "password_hash": password_hash, "role": "agent",
         "locale": "ko", "agent_id": a["id"], "is_default_password": True, "active": True}
        for a in agents
    ]
    users += [
        {"username": name, "password_hash": password_hash, "role": role, "locale": "ko",
         "agent_id": None, "is_default_password": True, "active": True}
        for name, role in STAFF_USERS
    ]
    return users


def queue_rows() -> list[dict[str, object]]:
    goals = {t: goal_json(default_goal(t)) for t in TIERS}
    return [
        {"name": q, "skill": q, "service_level_goals": goals, "open_hours": "09:00-18:00"}
        for q in QUEUES
    ]


def hash_password(password: str) -> str:
    """One argon2 hash (argon2-cffi ``PasswordHasher`` defaults) for every demo user.

    Hashing is slow on purpose, so the seed hashes once and reuses the hash. The hash is
    the standard ``$argon2id$...`` string that ``PasswordHasher().verify`` (and so
    ``app.auth``) checks.
    """
    from argon2 import PasswordHasher

    return PasswordHasher().hash(password)
