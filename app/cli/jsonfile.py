"""Reading a JSON input file for a command (a roster problem, a simulation scenario).

One reader so that every command refuses a bad file the same way: at most ``max_bytes``
read (a larger file is refused before parsing), UTF-8 with or without a byte-order mark,
and every failure one :class:`~app.cli.CliError` line that names the file.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from app.cli import CliError


def read_json_file(path: Path, *, max_bytes: int, what: str) -> Any:
    """The JSON value held in ``path``; ``what`` names the file's role in messages."""
    try:
        with path.open("rb") as fh:
            raw = fh.read(max_bytes + 1)
    except FileNotFoundError:
        raise CliError(f"{what} file not found: {path}") from None
    except OSError as exc:
        raise CliError(f"cannot read {path}: {exc.strerror or exc}") from None
    if len(raw) > max_bytes:
        raise CliError(f"{path} is larger than {max_bytes // 2**20} MiB: not a {what} file")
    try:
        return json.loads(raw.decode("utf-8-sig"))
    except UnicodeDecodeError:
        raise CliError(f"{path} is not UTF-8 text") from None
    except json.JSONDecodeError as exc:
        raise CliError(
            f"{path} is not valid JSON ({exc.msg} at line {exc.lineno} column {exc.colno})"
        ) from None
    except RecursionError:
        raise CliError(f"{path}: JSON nested too deeply to be a {what}") from None
