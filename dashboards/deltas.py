"""Snapshot, then deltas: what changed between two wallboard pictures.

A picture (:meth:`dashboards.wallboard.WallboardState.snapshot`) holds top-level figures,
a list of queues keyed by ``queue`` and a list of agents keyed by ``agent_id``. The delta
from ``old`` to ``new`` carries only what differs::

    {"type": "delta", "seq": new.seq, "base_seq": old.seq, "version": v, "base_version": v-1,
     "at": new.at,
     "set": {top-level key: new value, ...},        # every changed key but queues/agents
     "queues": [new queue objects, or of a changed one its id and changed keys only
                (nested dicts by their changed keys)], "queues_removed": [names],
     "agents": [the same for agent rows],    "agents_removed": [logins]}

:func:`apply_delta` rebuilds ``new`` from ``old`` and the delta (the browser does the
same in ``wallboard.js``); a test holds ``apply_delta(old, delta(old, new)) == new``.
A client applies a delta only to the picture whose version is ``base_version``; any
other case gets a full snapshot.
"""

from __future__ import annotations

from typing import Any

KEYED = {"queues": "queue", "agents": "agent_id"}
#: bookkeeping every delta carries as is (not in ``set``)
META = ("seq", "version", "at")


def delta(old: dict[str, Any], new: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {"type": "delta", "seq": new.get("seq"), "base_seq": old.get("seq"),
                           "version": new.get("version"), "base_version": old.get("version"),
                           "at": new.get("at"), "set": {}}
    for key, value in new.items():
        if key in KEYED or key in META or key == "type":
            continue
        if old.get(key) != value:
            out["set"][key] = value
    for key, id_field in KEYED.items():
        before = {item[id_field]: item for item in old.get(key, [])}
        after = {item[id_field]: item for item in new.get(key, [])}
        changed = []
        for name, item in after.items():
            was = before.get(name)
            if was is None:
                changed.append(item)
            elif was != item:
                changed.append({id_field: name, **_changes(was, item)})
        out[key] = changed
        out[f"{key}_removed"] = [name for name in before if name not in after]
    return out


def _changes(old: dict[str, Any], new: dict[str, Any]) -> dict[str, Any]:
    """The keys of ``new`` whose values differ from ``old``'s; nested dicts by their own
    changed keys (so a queue whose longest wait grew carries that one number)."""
    out: dict[str, Any] = {}
    for key, value in new.items():
        was = old.get(key)
        if was == value:
            continue
        if isinstance(value, dict) and isinstance(was, dict) and set(was) <= set(value):
            out[key] = _changes(was, value)
        else:
            out[key] = value
    return out


def _merge(old: dict[str, Any], change: dict[str, Any]) -> dict[str, Any]:
    out = dict(old)
    for key, value in change.items():
        was = out.get(key)
        out[key] = _merge(was, value) if isinstance(value, dict) and isinstance(was, dict) \
            else value
    return out


def apply_delta(picture: dict[str, Any], change: dict[str, Any]) -> dict[str, Any]:
    """The picture ``change`` leads to from ``picture`` (which it must be based on)."""
    if change.get("base_version") != picture.get("version"):
        raise ValueError(f"delta based on version {change.get('base_version')!r}, "
                         f"picture is version {picture.get('version')!r}")
    out = dict(picture)
    out.update(change["set"])
    out.update({key: change[key] for key in META})
    for key, id_field in KEYED.items():
        removed = set(change.get(f"{key}_removed", []))
        items = {item[id_field]: item for item in picture.get(key, [])
                 if item[id_field] not in removed}
        for item in change.get(key, []):
            was = items.get(item[id_field])
            items[item[id_field]] = item if was is None else _merge(was, item)
        out[key] = sorted(items.values(), key=lambda item: item[id_field])
    return out


def is_empty(change: dict[str, Any]) -> bool:
    """Nothing changed but the seq/version bookkeeping."""
    return not change["set"] and not any(change[k] or change[f"{k}_removed"] for k in KEYED)
