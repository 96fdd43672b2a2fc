"""The unassigned pool of the day's campaign lists, handed out to agents by claims.

A list entry with no agent (a customer nobody manages) is in the **pool**. The pool is not
shown to every agent: each agent's agenda holds the entries *claimed* for them, at most
:attr:`ClaimPolicy.batch` at a time, topped up from the pool whenever they open their agenda
(:func:`claim_batch`), in the order the list builder scored the pool (campaign priority,
then rank: a list's ranks are its score order).

A claim is ``claimed_by`` (the agent's id) and ``claimed_at`` written together by one
conditional ``UPDATE`` whose ``WHERE`` says the entry is still claimable (open, in the pool,
unclaimed or its claim lapsed). Two agents claiming at once can therefore never both get an
entry: on PostgreSQL the rows are picked ``FOR UPDATE SKIP LOCKED`` (another agent's picks
are skipped, not waited for) and the ``UPDATE`` re-checks its ``WHERE`` on each row as
committed; SQLite runs one writer at a time, and its ``UPDATE ... WHERE id IN (pick)`` is the
first statement of its transaction, so it takes the write lock before it reads (no stale
snapshot to upgrade).

A claim **lapses** :attr:`ClaimPolicy.idle_minutes` after ``claimed_at``; a preview or dial
of the agent's renews all their claims (:func:`renew_claims`), so only an agent who does
nothing with the pool loses it. A lapsed claim is claimable by anyone; the holder's own
lapsed claims go back to the pool at their next top-up. A logout gives every claim back at
once (:func:`release_claims`).

:func:`claim_entry` is the check before a preview or dial of a pool entry: it claims (or
renews) that one entry for the agent, or says who holds it (:class:`ClaimedElsewhere`, a 409).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any, cast

from sqlalchemy import ColumnElement, CursorResult, Update, and_, func, or_, select, update
from sqlmodel import Session

from app.models import Agent, Campaign, CampaignListEntry
from telesales.campaigns import AUTO_DIAL_MODES

#: pool entries an agent holds at most (``CONTACTOPS_POOL_BATCH_SIZE``): a morning's work
#: of preview calls (~10 dials an hour) that still leaves the pool to the other agents
DEFAULT_BATCH = 10
#: minutes without a preview or dial before an agent's claims lapse
#: (``CONTACTOPS_POOL_CLAIM_MINUTES``): a break or a long call, not a lunch hour
DEFAULT_IDLE_MINUTES = 30.0
#: top-up rounds when other agents took the rows picked meanwhile
CLAIM_ROUNDS = 3

_ENTRY = CampaignListEntry.__table__  # type: ignore[attr-defined]
_CAMPAIGN = Campaign.__table__  # type: ignore[attr-defined]
_AGENT = Agent.__table__  # type: ignore[attr-defined]


@dataclass(frozen=True, slots=True)
class ClaimPolicy:
    """How the pool is handed out: ``batch`` entries an agent holds at most, and the
    minutes after which an idle agent's claims lapse."""

    batch: int = DEFAULT_BATCH
    idle_minutes: float = DEFAULT_IDLE_MINUTES

    def __post_init__(self) -> None:
        if not 0 <= self.batch <= 200:
            raise ValueError(f"batch must be between 0 and 200, got {self.batch!r}")
        if not self.idle_minutes > 0:
            raise ValueError(f"idle_minutes must be > 0, got {self.idle_minutes!r}")

    def lapsed_before(self, now: datetime) -> datetime:
        """Claims made or renewed before this instant have lapsed."""
        return now - timedelta(minutes=self.idle_minutes)


def policy_of(settings: Any) -> ClaimPolicy:
    """The policy of the app's settings (the defaults for settings without them)."""
    return ClaimPolicy(int(getattr(settings, "pool_batch_size", DEFAULT_BATCH)),
                       float(getattr(settings, "pool_claim_minutes", DEFAULT_IDLE_MINUTES)))


class ClaimedElsewhere(Exception):
    """The pool entry is claimed by another agent (``holder``: their login)."""

    def __init__(self, entry_id: int, holder: str) -> None:
        super().__init__(f"campaign-{entry_id} is claimed by agent {holder}")
        self.entry_id = entry_id
        self.holder = holder


def _changed(session: Session, statement: Update) -> int:
    """Run one UPDATE as a transaction of its own (the first statement of it); rows changed."""
    session.commit()
    result = cast(CursorResult[Any], session.execute(statement))
    session.commit()
    return int(result.rowcount)


def _claimable(table: Any, lapsed: datetime) -> ColumnElement[bool]:
    """Open, in the pool, and unclaimed or its claim lapsed."""
    return and_(table.c.status == "open", table.c.agent_id.is_(None),
                or_(table.c.claimed_by.is_(None), table.c.claimed_at < lapsed))


def _live_claims_of(agent_id: int, day: date, lapsed: datetime) -> ColumnElement[bool]:
    return and_(_ENTRY.c.claimed_by == agent_id, _ENTRY.c.list_date == day,
                _ENTRY.c.status == "open", _ENTRY.c.agent_id.is_(None),
                _ENTRY.c.claimed_at >= lapsed)


def held(session: Session, agent_id: int, day: date, now: datetime,
         policy: ClaimPolicy) -> int:
    """The agent's live claims of ``day``."""
    query = select(func.count()).select_from(_ENTRY).where(
        _live_claims_of(agent_id, day, policy.lapsed_before(now)))
    return int(session.execute(query).scalar_one())


def _campaign_order(session: Session) -> list[int]:
    """The id of every campaign agents dial (not those the center dials by itself,
    :data:`telesales.campaigns.AUTO_DIAL_MODES`), the highest priority first (the order the
    pool is handed out)."""
    return [int(i) for i in session.execute(
        select(_CAMPAIGN.c.id).where(_CAMPAIGN.c.dial_mode.not_in(AUTO_DIAL_MODES))
        .order_by(_CAMPAIGN.c.priority.desc(), _CAMPAIGN.c.id)).scalars()]


def _claim_from(session: Session, campaign_id: int, agent_id: int, day: date, now: datetime,
                lapsed: datetime, wanted: int) -> int:
    """Claim up to ``wanted`` entries of one campaign's pool, best ranked first (a rank is
    the list's score order); the count got. The pick walks the partial index of the open
    pool (``ix_campaign_list_entry_pool``) in rank order."""
    pick_from = _ENTRY.alias("pick")
    pick = (select(pick_from.c.id)
            .where(pick_from.c.campaign_id == campaign_id, pick_from.c.list_date == day,
                   _claimable(pick_from, lapsed))
            .order_by(pick_from.c.rank, pick_from.c.id)
            .limit(wanted))
    claim = update(_ENTRY).where(_ENTRY.c.list_date == day, _claimable(_ENTRY, lapsed))
    if session.get_bind().dialect.name != "postgresql":
        return _changed(session, claim.where(_ENTRY.c.id.in_(pick))
                        .values(claimed_by=agent_id, claimed_at=now))
    # PostgreSQL: the rows picked are locked first (others' locked rows skipped), then
    # claimed in the same transaction; the UPDATE's own WHERE still decides
    session.commit()
    ids = list(session.execute(pick.with_for_update(skip_locked=True)).scalars())
    if not ids:
        session.commit()
        return 0
    result = cast(CursorResult[Any], session.execute(
        claim.where(_ENTRY.c.id.in_(ids)).values(claimed_by=agent_id, claimed_at=now)))
    session.commit()
    return int(result.rowcount)


def _claim_round(session: Session, agent_id: int, day: date, now: datetime,
                 lapsed: datetime, wanted: int) -> int:
    """Up to ``wanted`` pool entries, campaign by campaign in priority order; the count got."""
    got = 0
    for campaign_id in _campaign_order(session):
        if got >= wanted:
            break
        got += _claim_from(session, campaign_id, agent_id, day, now, lapsed, wanted - got)
    return got


def claim_batch(session: Session, agent_id: int, day: date, now: datetime,
                policy: ClaimPolicy) -> int:
    """Top the agent's claims of ``day`` up to ``policy.batch`` from the pool (module doc);
    their own lapsed claims go back to the pool first. Returns the entries newly claimed."""
    lapsed = policy.lapsed_before(now)
    _changed(session, update(_ENTRY).where(
        _ENTRY.c.claimed_by == agent_id, _ENTRY.c.list_date == day,
        _ENTRY.c.claimed_at < lapsed).values(claimed_by=None, claimed_at=None))
    wanted = policy.batch - held(session, agent_id, day, now, policy)
    session.commit()
    got = 0
    for _ in range(CLAIM_ROUNDS):
        if wanted - got <= 0:
            break
        n = _claim_round(session, agent_id, day, now, lapsed, wanted - got)
        if n == 0:
            break
        got += n
    return got


def claim_entry(session: Session, entry_id: int, agent_id: int, now: datetime,
                policy: ClaimPolicy) -> bool:
    """Claim (or renew) one pool entry for the agent before they preview or dial it.

    True when the agent holds it now; False when it is not a pool entry (the agent's own
    managed customer's, or gone): the agenda decides then. Raises :class:`ClaimedElsewhere`
    when another agent holds a live claim on it."""
    lapsed = policy.lapsed_before(now)
    mine_or_free = or_(_claimable(_ENTRY, lapsed), and_(
        _ENTRY.c.status == "open", _ENTRY.c.agent_id.is_(None),
        _ENTRY.c.claimed_by == agent_id))
    if _changed(session, update(_ENTRY).where(_ENTRY.c.id == entry_id, mine_or_free)
                .values(claimed_by=agent_id, claimed_at=now)):
        return True
    row = session.execute(
        select(_ENTRY.c.agent_id, _ENTRY.c.claimed_by, _ENTRY.c.status, _AGENT.c.login)
        .outerjoin(_AGENT, _AGENT.c.id == _ENTRY.c.claimed_by)
        .where(_ENTRY.c.id == entry_id)).first()
    if row is None or row.agent_id is not None or row.status != "open":
        return False
    raise ClaimedElsewhere(entry_id, str(row.login or row.claimed_by))


def renew_claims(session: Session, agent_id: int, now: datetime) -> int:
    """The agent worked the pool (a preview or a dial): their open claims start again."""
    return _changed(session, update(_ENTRY).where(
        _ENTRY.c.claimed_by == agent_id, _ENTRY.c.status == "open").values(claimed_at=now))


def release_claims(session: Session, agent_id: int) -> int:
    """Every open claim of the agent back to the pool (their logout)."""
    return _changed(session, update(_ENTRY).where(
        _ENTRY.c.claimed_by == agent_id, _ENTRY.c.status == "open")
        .values(claimed_by=None, claimed_at=None))


@dataclass(frozen=True, slots=True)
class PoolCounts:
    """The day's open pool entries: live claims per agent login, and those unclaimed
    (never claimed, or their claim lapsed)."""

    claimed: list[tuple[str, int]]
    unclaimed: int


def pool_counts(session: Session, day: date, now: datetime, policy: ClaimPolicy) -> PoolCounts:
    """What a supervisor reads on /campaigns: who holds how much of the day's pool now."""
    lapsed = policy.lapsed_before(now)
    open_pool = and_(_ENTRY.c.list_date == day, _ENTRY.c.status == "open",
                     _ENTRY.c.agent_id.is_(None))
    live = and_(_ENTRY.c.claimed_by.is_not(None), _ENTRY.c.claimed_at >= lapsed)
    claimed = session.execute(
        select(func.coalesce(_AGENT.c.login, "?"), func.count()).select_from(_ENTRY)
        .outerjoin(_AGENT, _AGENT.c.id == _ENTRY.c.claimed_by)
        .where(open_pool, live).group_by(_AGENT.c.login).order_by(_AGENT.c.login)).all()
    unclaimed = session.execute(select(func.count()).select_from(_ENTRY).where(
        open_pool, ~live)).scalar_one()
    return PoolCounts([(str(login), int(n)) for login, n in claimed], int(unclaimed))
