"""The README's two set-up commands are real: CI runs command (2) literally, and the part of
command (1) after the install serves the login page with the demo bank behind it within 30 s."""

from __future__ import annotations

import json
import os
import re
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from app.cli import main as cli_main

ROOT = Path(__file__).resolve().parents[1]


def _commands() -> list[str]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text.split("## Set-up: two commands", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"```\n(.+?)\n```", section)


def test_readme_has_exactly_two_setup_commands() -> None:
    commands = _commands()
    assert len(commands) == 2, commands
    assert commands[0].startswith("pip install -e . && contactops demo")
    assert commands[1].startswith("pip install -e '.[test]' && ")


def test_ci_runs_readme_command_two_literally() -> None:
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert _commands()[1] in ci.splitlines()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.mark.slow
def test_command_one_serves_the_login_page_within_30_seconds(tmp_path: Path) -> None:
    exe = shutil.which("contactops")
    start_cmd = _commands()[0].split("&&", 1)[1].split()
    assert start_cmd[0] == "contactops"
    argv = [exe] if exe else [sys.executable, "-m", "app.cli"]
    port = _free_port()
    env = {**os.environ, "CONTACTOPS_DATABASE_URL": f"sqlite:///{tmp_path / 'demo.db'}"}
    env.pop("CONTACTOPS_REDIS_URL", None)
    proc = subprocess.Popen(
        [*argv, *start_cmd[1:], "--port", str(port)],
        cwd=tmp_path, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )
    started = time.monotonic()
    try:
        page = None
        while time.monotonic() - started < 30:
            if proc.poll() is not None:
                out = proc.stdout.read() if proc.stdout else ""
                pytest.fail(f"contactops demo exited with {proc.returncode}:\n{out[-3000:]}")
            try:
                page = httpx.get(f"http://127.0.0.1:{port}/login", timeout=2)
                if page.status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            time.sleep(0.3)
        assert page is not None and page.status_code == 200, "no login page within 30 s"
        # the demo bank is behind it: log in as the supervisor and see the seeded agents
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=5) as client:
            login = client.get("/login")
            token = re.search(r'name="csrf_token" value="([^"]+)"', login.text)
            assert token, "login form carries a CSRF token"
            r = client.post("/login", data={"username": "supervisor01", "password": "demo",
                                            "csrf_token": token.group(1)})
            assert r.status_code in (200, 303)
            agents = client.get("/api/agents")
            assert agents.status_code == 200
            body = agents.json()
            items = body["items"] if isinstance(body, dict) else body
            assert len(items) >= 80 or (isinstance(body, dict) and body.get("total", 0) >= 80)
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        if proc.stdout:
            proc.stdout.close()


def test_readme_scenario_example_simulates(tmp_path: Path) -> None:
    """The scenario shown in the README runs through the CLI and gives the documented fields."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```json\n(.+?)\n```", text, flags=re.DOTALL)
    assert blocks, "README shows no JSON scenario"
    scenario = tmp_path / "scenario.json"
    scenario.write_text(blocks[0], encoding="utf-8")
    out = tmp_path / "result.json"
    assert cli_main(["simulate", str(scenario), "--replications", "2", "--seed", "1",
                     "--out", str(out)]) == 0
    summary = json.loads(out.read_text(encoding="utf-8"))["summary"]
    for key in ("offered", "answered", "abandoned", "p_abandon", "asa_seconds",
                "mean_wait_seconds", "service_level", "simulated_calls_per_second"):
        assert key in summary, key
    assert summary["answered"] + summary["abandoned"] <= summary["offered"] + 1e-9
    assert 1200 < summary["offered"] < 2100  # 2 x 810 expected
