"""`contactops simulate` as the acceptance tests call it."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from app.cli import main
from tests.simulations.test_scenario import EXAMPLE, with_


def write(tmp_path: Path, data: Any, name: str = "scenario.json") -> Path:
    p = tmp_path / name
    p.write_text(json.dumps(data) if not isinstance(data, str) else data)
    return p


def test_issue_example(tmp_path: Path) -> None:
    scen, out = write(tmp_path, EXAMPLE), tmp_path / "result.json"
    assert (
        main(["simulate", str(scen), "--replications", "4", "--seed", "1", "--out", str(out)]) == 0
    )
    doc = json.loads(out.read_text())
    s = doc["summary"]
    for key in (
        "offered",
        "answered",
        "abandoned",
        "p_abandon",
        "asa_seconds",
        "mean_wait_seconds",
        "service_level",
        "simulated_calls_per_second",
        "occupancy",
    ):
        assert isinstance(s[key], float), key
    assert 1450 < s["offered"] < 1790  # 1620 expected per replication
    assert s["answered"] + s["abandoned"] == pytest.approx(s["offered"])
    assert 0 < s["p_abandon"] < 0.1 and 0.8 < s["service_level"] <= 1
    assert s["mean_wait_seconds"] <= s["asa_seconds"] + 5
    assert (
        doc["summary_ci"]["service_level"][0]
        <= s["service_level"]
        <= doc["summary_ci"]["service_level"][1]
    )
    assert len(doc["per_replication"]) == 4 and len(doc["per_interval"]) == 2
    assert doc["engine"] == "fast"


def test_same_seed_same_result(tmp_path: Path) -> None:
    scen = write(tmp_path, EXAMPLE)
    docs = []
    for i in range(2):
        out = tmp_path / f"r{i}.json"
        main(
            [
                "simulate",
                str(scen),
                "-r",
                "3",
                "--seed",
                "5",
                "--out",
                str(out),
                "--engine",
                "general",
            ]
        )
        docs.append(json.loads(out.read_text()))
    assert docs[0]["per_replication"] == docs[1]["per_replication"]
    assert docs[0]["engine"] == "general"


def test_null_patience_nobody_abandons(tmp_path: Path) -> None:
    scen, out = write(tmp_path, with_("queues[0].patience_mean_seconds", None)), tmp_path / "r.json"
    assert (
        main(["simulate", str(scen), "--replications", "2", "--seed", "0", "--out", str(out)]) == 0
    )
    s = json.loads(out.read_text())["summary"]
    assert s["abandoned"] == 0 and s["p_abandon"] == 0


def test_events_out(tmp_path: Path) -> None:
    scen, out, ev = write(tmp_path, EXAMPLE), tmp_path / "r.json", tmp_path / "events.jsonl"
    assert main(["simulate", str(scen), "-r", "1", "--out", str(out), "--events-out", str(ev)]) == 0
    lines = [json.loads(x) for x in ev.read_text().splitlines()]
    arrived = sum(1 for x in lines if x["type"] == "contact_arrived")
    assert arrived == json.loads(out.read_text())["summary"]["offered"]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (with_("queues[0].aht_seconds", -1), "queues[0].aht_seconds must be > 0, got -1"),
        (with_("agents_per_interval", "sixty"), "agents_per_interval must be a list"),
        ("{not json", "is not valid JSON"),
    ],
)
def test_bad_scenarios_exit_2_with_the_path(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], data: Any, message: str
) -> None:
    scen = write(tmp_path, data)
    assert (
        main(
            [
                "simulate",
                str(scen),
                "--replications",
                "2",
                "--seed",
                "1",
                "--out",
                str(tmp_path / "r.json"),
            ]
        )
        == 2
    )
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err
    assert len(err.strip().splitlines()) == 1


ROSTER_NULL = {
    "interval_minutes": 60,
    "queues": [{"name": "general", "calls_per_interval": [100] * 4, "aht_seconds": 120,
                "patience_mean_seconds": None}],
    "roster": [{"agent_id": "kim", "count": 5, "shifts": [{"start": "00:00", "end": "02:00"}]}],
}
NAN_RANK = (
    '{"interval_minutes": 60, "queues": [{"name": "general", "calls_per_interval": [400, 400],'
    ' "aht_seconds": 240, "patience_mean_seconds": 300}], "agents_per_interval": [25],'
    ' "routing": {"policy": {"tier_rank": {"private_banker": 0, "platinum": 0, "gold": 1,'
    ' "silver": 2, "core": NaN, "inactive": 4}}}}'
)


@pytest.mark.parametrize(
    ("data", "args", "message"),
    [
        (ROSTER_NULL, [], "queues[0].patience_mean_seconds is null (nobody abandons)"),
        (NAN_RANK, [], "routing.policy.tier_rank.core must be an integer, got nan"),
        (with_("routing", {"policy": {"ring_timeout_seconds": "10"}}), [],
         "routing.policy.ring_timeout_seconds must be a finite number, got '10'"),
        (with_("routing", {"policy": {"overflow_after_seconds": 600}}), [],
         "routing.policy.overflow_after_seconds has no effect"),
        (with_("queues[0].aht_seconds", 1e308), [], "queues[0].aht_seconds must be <= 1e+09"),
        (with_("queues[0].calls_per_hour", 5), [], "queues[0].calls_per_hour cannot be given"),
        ({**EXAMPLE, "agent_groups": [{"name": "agents", "agents_per_interval": [1]}]}, [],
         "agent_groups[0].name 'agents' is already the name of agents_per_interval"),
        (EXAMPLE, ["--workers", "0"], "--workers must be >= 1"),
        (EXAMPLE, ["--workers", "-2"], "--workers must be >= 1"),
    ],
)
def test_review_cases_exit_2_with_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], data: Any, args: list[str], message: str
) -> None:
    scen = write(tmp_path, data)
    code = main(["simulate", str(scen), "-r", "2", "-o", str(tmp_path / "r.json"), *args])
    err = capsys.readouterr().err
    assert code == 2, err
    assert message in err and "Traceback" not in err
    assert len(err.strip().splitlines()) == 1
    assert not (tmp_path / "r.json").exists()


def test_missing_file_and_bad_counts(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["simulate", str(tmp_path / "nope.json")]) == 2
    assert "scenario file not found" in capsys.readouterr().err
    scen = write(tmp_path, EXAMPLE)
    assert main(["simulate", str(scen), "--replications", "0"]) == 2
    assert "--replications must be >= 1" in capsys.readouterr().err


def test_dask_without_dask(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    try:
        import dask.distributed  # noqa: F401
    except ImportError:
        pass
    else:  # pragma: no cover
        pytest.skip("dask is installed")
    scen = write(tmp_path, EXAMPLE)
    assert (
        main(
            [
                "simulate",
                str(scen),
                "-r",
                "2",
                "--dask",
                "tcp://127.0.0.1:1",
                "-o",
                str(tmp_path / "r.json"),
            ]
        )
        == 2
    )
    assert "pip install" in capsys.readouterr().err


def test_unwritable_output(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    scen = write(tmp_path, EXAMPLE)
    assert (
        main(["simulate", str(scen), "-r", "1", "-o", str(tmp_path / "no" / "such" / "r.json")])
        == 2
    )
    assert "cannot write" in capsys.readouterr().err


def test_no_calls_gives_nulls_not_errors(tmp_path: Path) -> None:
    scen, out = write(tmp_path, with_("queues[0].calls_per_interval", [0, 0])), tmp_path / "r.json"
    assert main(["simulate", str(scen), "-r", "2", "-o", str(out)]) == 0
    s = json.loads(out.read_text())["summary"]
    assert s["offered"] == 0 and s["service_level"] is None and s["asa_seconds"] is None
