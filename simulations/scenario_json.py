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


#: The longest duration a scenario may give, in seconds (about 31.7 years). Any real
#: handle time, patience, shift or horizon is far shorter; the bound keeps every sum of
#: times finite and exact to well under a millisecond in float64 (``1e9`` has 2**-23 s
#: resolution), where ``1e308`` would overflow to ``inf`` and then NaN.
MAX_SECONDS = 1e9


def path_error(path: str, msg: str) -> ScenarioError:
    return ScenarioError(f"{path} {msg}")


def shown(v: Any, limit: int = 40) -> str:
    """``repr(v)``, cut to ``limit`` characters (an error message stays one short line)."""
    text = repr(v)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def read_number(
    v: Any,
    path: str,
    *,
    gt: float | None = None,
    ge: float | None = None,
    le: float | None = None,
) -> float:
    if isinstance(v, bool) or not isinstance(v, (int, float)):
        raise path_error(path, f"must be a finite number, got {shown(v)}")
    try:
        x = float(v)
    except OverflowError:  # a JSON integer too large for a float
        raise path_error(path, f"must be a finite number, got {shown(v)}") from None
    if not math.isfinite(x):
        raise path_error(path, f"must be a finite number, got {shown(v)}")
    if gt is not None and not x > gt:
        raise path_error(path, f"must be > {gt:g}, got {shown(v)}")
    if ge is not None and not x >= ge:
        raise path_error(path, f"must be >= {ge:g}, got {shown(v)}")
    if le is not None and not x <= le:
        raise path_error(path, f"must be <= {le:g}, got {shown(v)}")
    return x


def read_seconds(
    v: Any, path: str, *, gt: float | None = None, ge: float | None = None
) -> float:
    """A duration in seconds: a finite number, at most :data:`MAX_SECONDS`."""
    return read_number(v, path, gt=gt, ge=ge, le=MAX_SECONDS)


def read_probability(v: Any, path: str) -> float:
    return read_number(v, path, ge=0, le=1)


def read_int(v: Any, path: str, *, ge: int = 0, le: int | None = None) -> int:
    if isinstance(v, bool) or not isinstance(v, int):
        if isinstance(v, float) and v.is_integer():
            v = int(v)
        else:
            raise path_error(path, f"must be an integer, got {shown(v)}")
    if v < ge:
        raise path_error(path, f"must be >= {ge}, got {shown(v)}")
    if le is not None and v > le:
        raise path_error(path, f"must be <= {le}, got {shown(v)}")
    return int(v)


def read_str(v: Any, path: str) -> str:
    if not isinstance(v, str) or not v:
        raise path_error(path, f"must be a non-empty string, got {shown(v)}")
    return v


def read_list(v: Any, path: str, *, nonempty: bool = True) -> list[Any]:
    if not isinstance(v, list):
        raise path_error(path, f"must be a list, got {shown(v)}")
    if nonempty and not v:
        raise path_error(path, "must not be empty")
    return v


def read_object(v: Any, path: str) -> Mapping[str, Any]:
    if not isinstance(v, Mapping):
        raise path_error(path, f"must be an object, got {shown(v)}")
    return v


def reject_unknown(obj: Mapping[str, Any], allowed: set[str], path: str) -> None:
    extra = sorted(set(obj) - allowed)
    if extra:
        where = f"{path}." if path else ""
        raise ScenarioError(f"{where}{extra[0]} is not a known field (known: {sorted(allowed)})")


def read_choice(v: Any, options: Sequence[str], path: str) -> str:
    if v not in options:
        raise path_error(path, f"must be one of {list(options)}, got {shown(v)}")
    return str(v)
