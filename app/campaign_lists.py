"""The day's campaign lists, built set-based in the database (PostgreSQL and SQLite).

:func:`build_lists` rebuilds the lists of one day: each active campaign's candidates go into
a temporary table with one ``INSERT ... SELECT`` per campaign (the union of its target
rules, semi-joined with its filter rules, minus do-not-call, no marketing consent for
telesales and outbound contacts within the cool-down; per customer the reason with the best
score); then one ``INSERT ... SELECT`` de-duplicates across campaigns (highest priority, then
score, then campaign id), ranks each list (score, then customer id) and writes the entries.
No Python loop runs over customers. The formulas are those of
:mod:`telesales.campaign_lists`, written here in SQL.

Idempotent: a rebuild first deletes the day's **open** entries and keeps worked ones (a
customer with a worked entry that day is not listed again). ``campaign=NAME`` rebuilds one
campaign: its open entries are replaced, a customer it wins from another campaign's open
entry moves to it, and the others' ranks keep their places (gaps where a customer left).

:func:`entries_for_agent` reads an agent's open entries of a day: their managed customers
first, then the pool entries claimed for them (:mod:`app.pool_claims`), by campaign priority
and score. :class:`app.campaign_refresh.MorningRefresh`
rebuilds once a day from the configured hour (``CONTACTOPS_CAMPAIGN_LISTS_HOUR``).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Connection, Engine, and_, case, or_, text
from sqlmodel import Session, col, select

from app.models import Campaign, CampaignListEntry
from app.offers import training_outcomes
from telesales.campaign_lists import (
    DELINQUENCY_FULL_DAYS,
    STAGE_SCORE,
    DecileLift,
    birthday_offsets,
    lift_by_decile,
    logit,
    propensity_terms,
)
from telesales.campaigns import (
    AUTO_DIAL_MODES,
    NEXT_TIER,
    TIER_BALANCE_THRESHOLDS_KRW,
    CampaignRules,
    Rule,
    rules_from_dict,
)
from telesales.contact_rules import CampaignType
from telesales.propensity import PropensityModel, fit_propensity

log = logging.getLogger(__name__)
CENTER_ZONE = ZoneInfo("Asia/Seoul")
#: the channel of the contacts the cool-down counts
OUTBOUND = "outbound"
#: PostgreSQL's memory for each sort or hash of a build (``SET LOCAL``, that build only)
WORK_MEM = "256MB"
#: entries one read returns at most
MAX_AGENT_ENTRIES = 2000


class CampaignNotFound(LookupError):
    pass


@dataclass(frozen=True, slots=True)
class BuildResult:
    """One campaign's list of the day: candidates its rules picked, entries it kept after
    de-duplication, and the seconds its candidates took (``de-duplication`` apart)."""

    campaign: str
    candidates: int
    entries: int
    seconds: float


@dataclass(frozen=True, slots=True)
class _Sql:
    """Dialect pieces: PostgreSQL or SQLite."""

    postgres: bool

    def days(self, later: str, earlier: str) -> str:
        if self.postgres:
            return f"({later} - {earlier})"
        return f"CAST(julianday({later}) - julianday({earlier}) AS INTEGER)"

    def month_day(self, column: str) -> str:
        if self.postgres:
            return (f"(EXTRACT(MONTH FROM {column})::int * 100 "
                    f"+ EXTRACT(DAY FROM {column})::int)")
        return f"CAST(strftime('%m%d', {column}) AS INTEGER)"

    def year(self, column: str) -> str:
        if self.postgres:
            return f"EXTRACT(YEAR FROM {column})::int"
        return f"CAST(strftime('%Y', {column}) AS INTEGER)"

    def json(self, *pairs: tuple[str, str]) -> str:
        inner = ", ".join(f"'{key}', {value}" for key, value in pairs)
        return f"json_build_object({inner})" if self.postgres else f"json_object({inner})"

    def least(self, *values: str) -> str:
        return f"{'LEAST' if self.postgres else 'MIN'}({', '.join(values)})"

    def greatest(self, *values: str) -> str:
        return f"{'GREATEST' if self.postgres else 'MAX'}({', '.join(values)})"

    def real(self, x: float) -> str:
        """A floating-point literal (PostgreSQL reads ``0.5`` as numeric: slow arithmetic)."""
        return f"{float(x)!r}::float8" if self.postgres else repr(float(x))

    def bigint(self, value: str) -> str:
        return f"CAST({value} AS BIGINT)"

    def date(self, value: str) -> str:
        return f"CAST({value} AS date)" if self.postgres else value


def _names(values: Sequence[str]) -> str:
    """A SQL list of validated names (each from a fixed allow-list of the core)."""
    for v in values:
        if not v.replace("_", "").isalnum():
            raise ValueError(f"not a name: {v!r}")
    return ", ".join(f"'{v}'" for v in values)


@dataclass(frozen=True, slots=True)
class _CustomerRule:
    """A rule over the customer row itself (alias ``c``): a predicate, the score and the
    reason's parameters as SQL expressions (no join: it is a condition of the scan)."""

    predicate: str
    score: str
    params: str


def customer_rule(rule: Rule, p: str, sql: _Sql, day: date, model: PropensityModel,
                  params: dict[str, Any]) -> _CustomerRule | None:
    """The birthday, lifecycle-stage and propensity rules as conditions on ``c``; None for
    the rules that read other tables (:func:`rule_sql`)."""
    w = sql.real(rule.weight)
    if rule.kind == "birthday":
        offsets = birthday_offsets(day, rule.within_days)
        md = sql.month_day("c.birth_date")
        case = " ".join(f"WHEN {k} THEN {n}" for k, n in sorted(offsets.items()))
        days = f"(CASE {md} {case} END)"
        return _CustomerRule(
            f"{md} IN ({', '.join(str(k) for k in sorted(offsets))})",
            f"{w} * ({sql.real(1.0)} - {days} / {sql.real(rule.within_days + 1)})",
            sql.json(("days", days)))
    if rule.kind == "lifecycle_stage":
        return _CustomerRule(f"c.lifecycle_stage IN ({_names(rule.stages)})",
                             f"{w} * {sql.real(STAGE_SCORE)}",
                             sql.json(("stage", "c.lifecycle_stage")))
    if rule.kind != "min_propensity":
        return None
    terms = propensity_terms(model, rule.offer)
    tiers = " ".join(f"WHEN '{t}' THEN {sql.real(v)}" for t, v in terms.tier_term.items())
    last = sql.real(list(terms.tier_term.values())[-1])
    params[f"{p}year"], params[f"{p}md"] = day.year, day.month * 100 + day.day
    age = (f"(:{p}year - {sql.year('c.birth_date')} - CASE WHEN "
           f"{sql.month_day('c.birth_date')} > :{p}md THEN 1 ELSE 0 END)")
    clamped = sql.least(sql.greatest(age, "15"), "100")
    z = (f"({sql.real(terms.base)} + CASE c.value_tier {tiers} ELSE {last} END"
         f" + CASE WHEN c.lifecycle_stage = 'churn_risk' THEN {sql.real(terms.churn_risk)} "
         f"ELSE {sql.real(0.0)} END + CASE WHEN c.lifecycle_stage IN ('new', 'growth') THEN "
         f"{sql.real(terms.new_or_growth)} ELSE {sql.real(0.0)} END + CASE WHEN c.birth_date "
         f"IS NULL THEN {sql.real(terms.unknown_age)} ELSE {sql.real(terms.per_decade)} * "
         f"({clamped} - 45) / {sql.real(10.0)} END)")
    bounded = sql.least(sql.greatest(z, sql.real(-50.0)), sql.real(50.0))
    probability = f"{sql.real(1.0)} / ({sql.real(1.0)} + exp(-{bounded}))"
    params[f"{p}z"] = logit(rule.min_probability)
    return _CustomerRule(f"{z} >= :{p}z", f"{w} * {probability}",
                         sql.json(("offer", _names([rule.offer])), ("p", probability)))


def rule_sql(rule: Rule, p: str, sql: _Sql, day: date, params: dict[str, Any]) -> str:
    """A SELECT of ``customer_id, score, reason, params`` for a rule over products or life
    events; its bound values go into ``params`` under the prefix ``p``."""
    w = sql.real(rule.weight)
    d = sql.date(f":{p}day")
    params[f"{p}day"] = day
    if rule.kind == "deposit_maturing":
        params[f"{p}end"] = day + timedelta(days=rule.within_days)
        days = f"MIN({sql.days('p.maturity_date', d)})"
        return (f"SELECT p.customer_id AS customer_id, "
                f"{w} * ({sql.real(1.0)} - {days} / {sql.real(rule.within_days + 1)}) AS score, "
                f"'deposit_maturing' AS reason, {sql.json(('days', days))} AS params "
                f"FROM product p WHERE p.kind = 'deposit' AND p.maturity_date >= {d} "
                f"AND p.maturity_date <= {sql.date(f':{p}end')} GROUP BY p.customer_id")
    if rule.kind == "life_event":
        params[f"{p}from"] = day - timedelta(days=rule.days_before)
        params[f"{p}to"] = day + timedelta(days=rule.days_after)
        kinds = f"AND e.kind IN ({_names(rule.kinds)}) " if rule.kinds else ""
        days = sql.days("e.on_date", d)
        width = sql.real(max(rule.days_before, rule.days_after) + 1)
        return (f"SELECT n.customer_id, {w} * ({sql.real(1.0)} - ABS(n.days) / {width}) "
                f"AS score, 'life_event' AS reason, "
                f"{sql.json(('kind', 'n.kind'), ('days', 'n.days'))} AS params FROM ("
                f"SELECT e.customer_id, e.kind, {days} AS days, ROW_NUMBER() OVER ("
                f"PARTITION BY e.customer_id ORDER BY ABS({days}), e.id) AS rn "
                f"FROM customer_life_event e WHERE e.on_date >= {sql.date(f':{p}from')} "
                f"AND e.on_date <= {sql.date(f':{p}to')} {kinds}) n WHERE n.rn = 1")
    if rule.kind == "tier_upgrade":
        nxt = " ".join(f"WHEN '{t}' THEN '{n}'" for t, n in NEXT_TIER.items())
        threshold = " ".join(f"WHEN '{t}' THEN {TIER_BALANCE_THRESHOLDS_KRW[n]}"
                             for t, n in NEXT_TIER.items())
        low = sql.real(1.0 - rule.within_percent / 100.0)
        # summed as float8 (exact below 2**53 KRW): PostgreSQL sums bigint in numeric, which
        # is several times slower and bigger over millions of products
        reason_params = sql.json(("tier", "u.next_tier"),
                                 ("gap_krw", sql.bigint("u.threshold - u.balance")))
        return (f"SELECT u.customer_id, {w} * u.balance / u.threshold AS score, "
                f"'tier_upgrade' AS reason, {reason_params} "
                f"AS params FROM (SELECT b.customer_id, b.balance, "
                f"CASE c.value_tier {nxt} END AS next_tier, CAST(CASE c.value_tier "
                f"{threshold} END AS BIGINT) AS threshold FROM ("
                f"SELECT p.customer_id, SUM(CAST(p.balance_krw AS DOUBLE PRECISION)) AS balance "
                f"FROM product p "
                f"WHERE p.kind IN ('deposit', 'fund') GROUP BY p.customer_id) b "
                f"JOIN customer c ON c.id = b.customer_id WHERE c.value_tier IN "
                f"({_names(list(NEXT_TIER))})) u WHERE u.balance < u.threshold "
                f"AND u.balance >= {low} * u.threshold")
    if rule.kind != "delinquent_loan":
        raise ValueError(f"{rule.kind} is a customer rule (customer_rule)")
    params[f"{p}dpd"] = rule.min_days_past_due
    return (f"SELECT p.customer_id AS customer_id, {w} * "
            f"{sql.least('MAX(p.days_past_due)', str(DELINQUENCY_FULL_DAYS))} / "
            f"{sql.real(DELINQUENCY_FULL_DAYS)} AS score, 'delinquent_loan' AS reason, "
            f"{sql.json(('days_past_due', 'MAX(p.days_past_due)'))} AS params FROM product p "
            f"WHERE p.kind = 'loan' AND p.days_past_due >= :{p}dpd GROUP BY p.customer_id")


def candidates_sql(campaign_id: int, campaign_type: CampaignType, rules: CampaignRules,
                   sql: _Sql, day: date, model: PropensityModel,
                   params: dict[str, Any]) -> str:
    """The INSERT of one campaign's candidates into the temporary ``campaign_candidate``.

    Each target rule is one branch of a UNION ALL that scans or joins ``customer c`` once,
    with the exclusions and the filters as conditions on ``c`` (a filter over products or
    life events as a semi-join); with several targets, the best-scoring branch per customer
    is kept."""
    consent = " AND c.marketing_consent" if campaign_type == "telesales" else ""
    params["cool_since"] = datetime.combine(day - timedelta(days=rules.cool_down_days),
                                            datetime.min.time(), CENTER_ZONE)
    where = [f"NOT c.do_not_call{consent}",
             ("NOT EXISTS (SELECT 1 FROM contacthistory h WHERE h.customer_id = c.id AND "
              "h.channel = 'outbound' AND h.at >= :cool_since)"),
             # a number on an industry do-not-call list (app.industry_dnc): every dial to it
             # would be refused (rule do_not_call), so the customer is not listed
             ("NOT EXISTS (SELECT 1 FROM customerphone ph JOIN industry_do_not_call d ON "
              "d.number = ph.number WHERE ph.customer_id = c.id)")]
    for i, rule in enumerate(rules.filters):
        on_customer = customer_rule(rule, f"f{i}_", sql, day, model, params)
        where.append(on_customer.predicate if on_customer is not None else
                     f"c.id IN (SELECT f.customer_id FROM "
                     f"({rule_sql(rule, f'f{i}_', sql, day, params)}) f)")
    branches = []
    for i, rule in enumerate(rules.targets):
        on_customer = customer_rule(rule, f"t{i}_", sql, day, model, params)
        if on_customer is not None:
            branches.append(
                f"SELECT c.id AS customer_id, c.relationship_manager_id AS agent_id, "
                f"{on_customer.score} AS score, '{rule.kind}' AS reason, {on_customer.params} "
                f"AS params FROM customer c WHERE {on_customer.predicate} AND "
                + " AND ".join(where))
        else:
            branches.append(
                "SELECT t.customer_id, c.relationship_manager_id AS agent_id, t.score, "
                f"t.reason, t.params FROM ({rule_sql(rule, f't{i}_', sql, day, params)}) t "
                "JOIN customer c ON c.id = t.customer_id WHERE " + " AND ".join(where))
    insert = ("INSERT INTO campaign_candidate (campaign_id, customer_id, agent_id, score, "
              f"reason, params) SELECT {int(campaign_id)}, x.customer_id, x.agent_id, x.score, "
              "x.reason, x.params FROM ")
    if len(branches) == 1:  # one target rule: one row per customer already
        return insert + f"({branches[0]}) x"
    return (insert + "(SELECT b.*, ROW_NUMBER() OVER (PARTITION BY b.customer_id ORDER BY "
            f"b.score DESC, b.reason) AS rn FROM ({' UNION ALL '.join(branches)}) b) x "
            "WHERE x.rn = 1")


def _create_staging(connection: Connection, sql: _Sql) -> None:
    kind = "json" if sql.postgres else "TEXT"
    suffix = " ON COMMIT DROP" if sql.postgres else ""
    if sql.postgres:
        # the sorts and hashes of a build over millions of rows stay in memory (the default
        # 4 MB spills them to disk); for this transaction only
        connection.execute(text(f"SET LOCAL work_mem = '{WORK_MEM}'"))
    else:
        connection.execute(text("DROP TABLE IF EXISTS temp.campaign_candidate"))
    connection.execute(text(
        "CREATE TEMPORARY TABLE campaign_candidate (campaign_id INTEGER NOT NULL, "
        "customer_id BIGINT NOT NULL, agent_id INTEGER, score DOUBLE PRECISION NOT NULL, "
        f"reason VARCHAR(30) NOT NULL, params {kind}){suffix}"))


def _stream_aggregates(connection: Connection, on: bool) -> None:
    """PostgreSQL only, around a ``tier_upgrade`` rule: sum the products customer by
    customer along the ``product.customer_id`` index and merge with ``customer`` by its key,
    instead of hashing every customer's total (2.7 M groups for 4 M customers: 20 s against
    8 s measured, and 300 MB less memory)."""
    value = "off" if on else "on"
    connection.execute(text(f"SET LOCAL enable_hashagg = {value}"))
    connection.execute(text(f"SET LOCAL enable_hashjoin = {value}"))


def _limit_case(limits: dict[int, int]) -> str:
    if not limits:
        return "2147483647"
    whens = " ".join(f"WHEN {int(cid)} THEN {int(n)}" for cid, n in limits.items())
    return f"CASE r.campaign_id {whens} ELSE 2147483647 END"


def build_lists(engine: Engine, day: date, now: datetime, model: PropensityModel,
                campaign: str | None = None) -> list[BuildResult]:
    """Rebuild the lists of ``day`` (every active campaign, or only ``campaign``) in one
    transaction; see the module docstring. Raises :class:`CampaignNotFound`."""
    sql = _Sql(engine.dialect.name == "postgresql")
    with engine.begin() as connection:
        rows = _campaigns(connection, campaign)
        _create_staging(connection, sql)
        timings: dict[int, tuple[str, int, float]] = {}
        limits: dict[int, int] = {}
        for cid, name, kind, rules_data in rows:
            rules = rules_from_dict(rules_data, kind)
            if rules.max_entries is not None:
                limits[cid] = rules.max_entries
            params: dict[str, Any] = {}
            statement = candidates_sql(cid, kind, rules, sql, day, model, params)
            streamed = sql.postgres and any(
                r.kind == "tier_upgrade" for r in (*rules.targets, *rules.filters))
            started = time.perf_counter()
            if streamed:
                _stream_aggregates(connection, True)
            count = connection.execute(text(statement), params).rowcount
            if streamed:
                _stream_aggregates(connection, False)
            timings[cid] = (name, count, time.perf_counter() - started)
        # temporary tables are never auto-analysed: the planner needs the candidates' size
        connection.execute(text("ANALYZE campaign_candidate"))
        _replace_entries(connection, sql, day, now, limits,
                         [cid for cid, *_ in rows] if campaign else None)
        counts: dict[int, int] = dict(connection.execute(text(
            "SELECT campaign_id, COUNT(*) FROM campaign_list_entry WHERE list_date = "
            f"{sql.date(':day')} AND status = 'open' GROUP BY campaign_id"),
            {"day": day}).all())
        if not sql.postgres:
            connection.execute(text("DROP TABLE temp.campaign_candidate"))
    return [BuildResult(name, n, int(counts.get(cid, 0)), seconds)
            for cid, (name, n, seconds) in timings.items()]


def _campaigns(connection: Connection, name: str | None) -> list[tuple[int, str, Any, Any]]:
    query = select(col(Campaign.id), col(Campaign.name), col(Campaign.type),
                   col(Campaign.rules)).order_by(col(Campaign.priority).desc(),
                                                 col(Campaign.id))
    if name is None:
        query = query.where(col(Campaign.active))
    else:
        query = query.where(col(Campaign.name) == name)
    rows = [(int(r[0]), r[1], r[2], r[3]) for r in connection.execute(query).all()]
    if name is not None and not rows:
        raise CampaignNotFound(f"no campaign named {name!r}")
    return rows


def _replace_entries(connection: Connection, sql: _Sql, day: date, now: datetime,
                     limits: dict[int, int], only: list[int] | None) -> None:
    """Delete the day's open entries (of ``only``, or all) and insert the de-duplicated,
    ranked candidates (one INSERT ... SELECT)."""
    d = sql.date(":day")
    if only is None:
        connection.execute(text(f"DELETE FROM campaign_list_entry WHERE list_date = {d} "
                                "AND status = 'open'"), {"day": day})
    else:
        cid = int(only[0])
        connection.execute(text(f"DELETE FROM campaign_list_entry WHERE list_date = {d} "
                                f"AND status = 'open' AND campaign_id = {cid}"), {"day": day})
        # the open entries of other campaigns that this campaign wins move to it
        connection.execute(text(
            f"DELETE FROM campaign_list_entry WHERE list_date = {d} AND status = 'open' "
            "AND id IN (SELECT e.id FROM campaign_list_entry e JOIN campaign o ON "
            "o.id = e.campaign_id JOIN campaign_candidate k ON k.customer_id = e.customer_id "
            f"JOIN campaign m ON m.id = k.campaign_id WHERE e.list_date = {d} AND "
            "(m.priority > o.priority OR (m.priority = o.priority AND (k.score > e.score OR "
            "(k.score = e.score AND m.id < o.id)))))"), {"day": day})
    connection.execute(text(
        "INSERT INTO campaign_list_entry (campaign_id, list_date, customer_id, agent_id, "
        "score, rank, reason, reason_params, status, built_at) "
        f"SELECT r.campaign_id, {d}, r.customer_id, r.agent_id, r.score, r.rnk, r.reason, "
        "r.params, 'open', :now FROM (SELECT k.*, ROW_NUMBER() OVER (PARTITION BY "
        "k.campaign_id ORDER BY k.score DESC, k.customer_id) AS rnk FROM ("
        "SELECT s.*, ROW_NUMBER() OVER (PARTITION BY s.customer_id ORDER BY m.priority DESC, "
        "s.score DESC, s.campaign_id) AS pick FROM campaign_candidate s JOIN campaign m ON "
        "m.id = s.campaign_id) k WHERE k.pick = 1 AND k.customer_id NOT IN (SELECT "
        f"e.customer_id FROM campaign_list_entry e WHERE e.list_date = {d})"
        f") r WHERE r.rnk <= {_limit_case(limits)}"), {"day": day, "now": now})


def entries_for_agent(session: Session, agent_id: int, day: date,
                      limit: int = 200) -> list[CampaignListEntry]:
    """The agent's open entries of ``day``: the entries of the customers they manage
    (assigned to them), then the pool entries (customers nobody manages) claimed for them
    (:mod:`app.pool_claims`), each by campaign priority (highest first), score (highest
    first) and rank. Entries of campaigns the center dials by itself
    (:data:`telesales.campaigns.AUTO_DIAL_MODES`) are the dialler's, on no agenda."""
    if not 0 < limit <= MAX_AGENT_ENTRIES:
        raise ValueError(f"limit must be between 1 and {MAX_AGENT_ENTRIES}, got {limit}")
    entry = CampaignListEntry
    managed = case((col(entry.agent_id) == agent_id, 0), else_=1)
    query = (select(entry)
             .join(Campaign, col(Campaign.id) == entry.campaign_id)
             .where(or_(col(entry.agent_id) == agent_id,
                        and_(col(entry.agent_id).is_(None), col(entry.claimed_by) == agent_id)),
                    col(entry.list_date) == day, col(entry.status) == "open",
                    col(Campaign.dial_mode).not_in(AUTO_DIAL_MODES))
             .order_by(managed, col(Campaign.priority).desc(), col(entry.score).desc(),
                       col(entry.rank), col(entry.id))
             .limit(limit))
    return list(session.exec(query).all())


def fit_model(session: Session, now: datetime) -> tuple[PropensityModel, list[DecileLift]]:
    """The propensity model fitted on the past offers (:func:`app.offers.training_outcomes`)
    and its lift by decile on those same outcomes (in-sample: what the manager reads is how
    well the model ranks the customers it learnt from)."""
    outcomes = training_outcomes(session, now)
    model = fit_propensity(outcomes)
    predicted = [model.propensity(o.offer, o.tier, o.lifecycle_stage, o.age) for o in outcomes]
    return model, lift_by_decile(predicted, [o.accepted for o in outcomes])

