"""Schema fuzzing (issue 7): schemathesis generates requests for every operation of the
OpenAPI document, valid ones and invalid ones, and sends them logged in under each role.
No answer may be a 5xx, and none may take longer than :data:`MAX_RESPONSE_SECONDS`.

The example count is bounded (:data:`EXAMPLES` per operation and mode, drawn once per process
and sent under every role), and the run is
derandomized under CI by the hypothesis profile of ``tests/conftest.py`` (the same examples
every run); a developer's run explores new ones. Every failure of a role is collected and
reported together, with the request that caused it (method, URL and body).
"""

from __future__ import annotations

import copy
import fcntl
import functools
import hashlib
import json
import os
import pickle
import time
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from sqlmodel import Session

from app.models import Customer, Queue, Role
from app.testing import create_user, login, make_app, make_settings

#: Examples per operation and generation mode (valid / invalid), drawn once per process and
#: sent under each of the 6 roles: ~200 operations x 2 modes x 3 x 6 roles is ~7,000 requests.
EXAMPLES = 3
#: No answer may take longer (generous: the slowest route answers in well under a second).
MAX_RESPONSE_SECONDS = 5.0
#: Operations left out: changing one's own password would end the fuzzing session early.
SKIPPED = {("POST", "/api/me/password")}


def _seed(app: Any) -> None:
    """A queue and a customer, so that some generated ids and names find rows."""
    with Session(app.state.engine) as session:
        session.add(Queue(name="deposits", skill="deposits"))
        session.add(Customer(name="Kim Minji", home_branch="Seoul Main"))
        session.commit()


def _kwargs(case: Any) -> dict[str, Any]:
    kwargs = case.as_transport_kwargs(base_url="http://testserver")
    if not kwargs.get("cookies"):
        kwargs.pop("cookies", None)  # the client's own session cookie is sent
    if isinstance(kwargs.get("data"), bytes | str):  # raw bodies go as content in httpx
        kwargs["content"] = kwargs.pop("data")
    return dict(kwargs)


class Fuzzer:
    """A logged-in client of one role; logs in again (as a new user of the role) when a
    generated request ended its own session (an admin disabling or resetting itself)."""

    def __init__(self, app: Any, role: str) -> None:
        self.app, self.role, self.logins = app, role, 0
        self.client = TestClient(app, raise_server_exceptions=False, follow_redirects=False)

    def login(self) -> None:
        self.logins += 1
        name = f"fuzz-{self.role}-{self.logins}"
        create_user(self.app, name, self.role)
        self.client.cookies.clear()
        login(self.client, name)


Cases = tuple[tuple[str, tuple[dict[str, Any], ...]], ...]


def _shared_cases(openapi: dict[str, Any], folder: Path) -> Cases:
    """The generated requests, drawn once per test run and sent under every role: drawing is
    most of the cost, and the same requests make the roles comparable. The first xdist worker
    to get here draws them (under a file lock) and leaves them for the others in ``folder``
    (the run's shared temporary folder), keyed by the run and the OpenAPI document."""
    text = json.dumps(openapi, sort_keys=True)
    run = os.environ.get("PYTEST_XDIST_TESTRUNUID")  # set by xdist in its workers
    if not run:
        return _cases(text)
    key = hashlib.sha256(f"{run}{text}".encode()).hexdigest()[:16]
    stored = folder / f"fuzz-cases-{key}.pickle"
    with open(folder / "fuzz-cases.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if stored.exists():
            cases: Cases = pickle.loads(stored.read_bytes())
            return cases
        cases = _cases(text)
        stored.write_bytes(pickle.dumps(cases))
        return cases


@functools.cache
def _cases(openapi_json: str) -> Cases:
    """The generated requests of every operation and mode."""
    schema: Any = schemathesis.openapi.from_dict(json.loads(openapi_json))
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) > 30
    out = []
    for operation in operations:
        if (operation.method.upper(), operation.path) in SKIPPED:
            continue
        drawn: list[dict[str, Any]] = []
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            drawn += _draw(operation, mode)
        out.append((f"{operation.method.upper()} {operation.path}", tuple(drawn)))
    return tuple(out)


def _draw(operation: Any, mode: GenerationMode) -> list[dict[str, Any]]:
    drawn: list[dict[str, Any]] = []

    @settings(max_examples=EXAMPLES, deadline=None, database=None,
              suppress_health_check=list(HealthCheck))
    @given(case=operation.as_strategy(generation_mode=mode))
    def run(case: Any) -> None:
        drawn.append(_kwargs(case))

    try:
        run()
    except Unsatisfiable:  # e.g. no invalid example exists for an operation without input
        pass
    return drawn


def _send(fuzzer: Fuzzer, kwargs: dict[str, Any], failures: list[str],
          seen: Counter[int]) -> None:
    started = time.monotonic()
    response = fuzzer.client.request(**copy.deepcopy(kwargs))
    seconds = time.monotonic() - started
    seen[response.status_code] += 1
    if response.status_code == 401:
        fuzzer.login()
    if response.status_code >= 500 or seconds > MAX_RESPONSE_SECONDS:
        body = kwargs.get("json", kwargs.get("data", kwargs.get("content")))
        failures.append(f"{response.status_code} in {seconds:.1f} s: {kwargs['method']} "
                        f"{kwargs['url']} params={kwargs.get('params')} body={body!r:.300}")


@pytest.mark.parametrize("role", [r.value for r in Role])
def test_no_5xx_and_no_slow_answer_under_any_role(
    sqlite_url: str, role: str, tmp_path_factory: pytest.TempPathFactory
) -> None:
    app = make_app(make_settings(sqlite_url))
    _seed(app)
    cases = _shared_cases(app.openapi(), tmp_path_factory.getbasetemp().parent)
    failures: list[str] = []
    seen: Counter[int] = Counter()
    fuzzer = Fuzzer(app, role)
    with fuzzer.client:
        fuzzer.login()
        for _operation, drawn in cases:
            for kwargs in drawn:
                _send(fuzzer, kwargs, failures, seen)
        assert app.state.cpu_work.running == 0  # no computation left behind
    assert not failures, f"{len(failures)} failure(s) as {role}:\n" + "\n".join(failures[:20])
    assert all(drawn for _operation, drawn in cases), "an operation drew no request"
    assert sum(seen.values()) >= 2 * len(cases), seen  # every operation was called
    assert seen[200] + seen[201] > 0 and seen[422] > 0, seen  # some got through, some refused
    assert fuzzer.logins < 10, f"{fuzzer.logins} logins: the session kept ending"
    print(f"{role}: {sum(seen.values())} requests, {fuzzer.logins} login(s),"
          f" statuses {dict(sorted(seen.items()))}")
