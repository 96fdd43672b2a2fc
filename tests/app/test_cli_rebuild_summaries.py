"""``contactops db rebuild-summaries`` and the migration that marks older rows stale."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import create_engine, func, insert, select

from app.cli import main
from app.dbmigrate import upgrade
from app.models import (
    Interaction,
    InteractionOutcomeSummary,
    InteractionSummary,
    InteractionSummaryStale,
)

AT = datetime(2026, 11, 18, 1, 0, tzinfo=UTC)


def _row(cid: str, wait: float) -> dict[str, object]:
    return {"contact_id": cid, "queue": "cards", "direction": "inbound", "tier": "core",
            "arrived_at": AT, "answered_at": AT + timedelta(seconds=wait), "outcome": "answered"}


def test_migration_marks_old_rows_stale_and_the_command_rebuilds(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    url = f"sqlite:///{tmp_path / 'db.sqlite'}"
    upgrade(url, "0011")
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(insert(Interaction.__table__), [_row("a", 5.0), _row("b", 30.0)])  # type: ignore[attr-defined]
    upgrade(url)
    with engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(
            InteractionSummaryStale.__table__)).scalar() == 1  # type: ignore[attr-defined]
    assert main(["db", "--url", url, "rebuild-summaries"]) == 0
    assert "from 2 inbound rows" in capsys.readouterr().out
    with engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(
            InteractionSummaryStale.__table__)).scalar() == 0  # type: ignore[attr-defined]
        summary = InteractionSummary.__table__  # type: ignore[attr-defined]
        offered = conn.execute(select(summary.c.grain, func.sum(summary.c.answered))
                               .group_by(summary.c.grain).order_by(summary.c.grain)).all()
    assert [tuple(r) for r in offered] == [("day", 2), ("interval", 2)]
    with engine.connect() as conn:  # and the standards report's summaries
        outcome = InteractionOutcomeSummary.__table__  # type: ignore[attr-defined]
        assert tuple(conn.execute(select(func.sum(outcome.c.contacts),
                                         func.sum(outcome.c.o_answered))).one()) == (2, 2)
    engine.dispose()


def test_the_migration_marks_rows_summarised_before_it(tmp_path: Path) -> None:
    """A database at 0017 with current summaries: 0019 marks its rows for the new table."""
    url = f"sqlite:///{tmp_path / 'db.sqlite'}"
    upgrade(url, "0017")
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(insert(Interaction.__table__), [_row("a", 5.0)])  # type: ignore[attr-defined]
    with engine.begin() as conn:
        conn.execute(InteractionSummaryStale.__table__.delete())  # type: ignore[attr-defined]
    upgrade(url)
    with engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(
            InteractionSummaryStale.__table__)).scalar() == 1  # type: ignore[attr-defined]
    engine.dispose()


def test_rebuild_on_a_database_not_migrated_is_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    url = f"sqlite:///{tmp_path / 'empty.sqlite'}"
    assert main(["db", "--url", url, "rebuild-summaries"]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "upgrade" in err
