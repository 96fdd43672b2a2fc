"""Reading the scenario's JSON form, naming the JSON path at fault.

Each reader checks one value and returns it typed, or raises :class:`ScenarioError`
(a ``ValueError``) whose message starts with the path, e.g.
``queues[0].aht_seconds must be > 0, got -1``. The parts of the scenario
(:mod:`simulations.scenario_queues`, :mod:`simulations.scenario_agents`,
:mod:`simulations.scenario`) are read with these only.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any


class ScenarioError(ValueError):
    """A scenario that cannot be simulated; the message names the JSON path."""


def path_error(path: str, msg: str) -> ScenarioError:
    return ScenarioError(f"{path} {msg}")


def read_number(v: Any, path: str, *, gt: float | None = None, ge: float | None = None) -> float:
    if isinstance(v, bool) or not isinstance(v, (int, float)) or not math.isfinite(v):
        raise path_error(path, f"must be a finite number, got {v!r}")
    if gt is not None and not v > gt:
        raise path_error(path, f"must be > {gt:g}, got {v!r}")
    if ge is not None and not v >= ge:
        raise path_error(path, f"must be >= {ge:g}, got {v!r}")
    return float(v)


def read_int(v: Any, path: str, *, ge: int = 0) -> int:
    if isinstance(v, bool) or not isinstance(v, int):
        if isinstance(v, float) and v.is_integer():
            v = int(v)
        else:
            raise path_error(path, f"must be an integer, got {v!r}")
    if v < ge:
        raise path_error(path, f"must be >= {ge}, got {v!r}")
    return int(v)


def read_str(v: Any, path: str) -> str:
    if not isinstance(v, str) or not v:
        raise path_error(path, f"must be a non-empty string, got {v!r}")
    return v


def read_list(v: Any, path: str, *, nonempty: bool = True) -> list[Any]:
    if not isinstance(v, list):
        raise path_error(path, f"must be a list, got {v!r}")
    if nonempty and not v:
        raise path_error(path, "must not be empty")
    return v


def read_object(v: Any, path: str) -> Mapping[str, Any]:
    if not isinstance(v, Mapping):
        raise path_error(path, f"must be an object, got {v!r}")
    return v


def reject_unknown(obj: Mapping[str, Any], allowed: set[str], path: str) -> None:
    extra = sorted(set(obj) - allowed)
    if extra:
        where = f"{path}." if path else ""
        raise ScenarioError(f"{where}{extra[0]} is not a known field (known: {sorted(allowed)})")


def read_choice(v: Any, options: Sequence[str], path: str) -> str:
    if v not in options:
        raise path_error(path, f"must be one of {list(options)}, got {v!r}")
    return str(v)
