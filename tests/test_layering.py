"""The import rules of DESIGN.md, enforced by walking every module's imports with ``ast``.

| folder | may import (besides the standard library) |
| wfm/ | numpy, scipy, statsmodels, ortools, holidays, pandas (nothing of app/) |
| routing/ | standard library only |
| telesales/ | routing, numpy |
| qa/ | numpy, routing.events |
| dashboards/ | qa, routing.events, numpy |
| simulations/ | routing, telesales, wfm, qa, numpy, scipy |
| app/ | everything |
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PROJECT = {"app", "wfm", "routing", "telesales", "qa", "dashboards", "simulations"}
WEB_AND_DB = {"fastapi", "starlette", "sqlmodel", "sqlalchemy", "jinja2", "uvicorn", "alembic",
              "psycopg", "redis", "pydantic_settings"}

# For each core folder: the project packages it may import (a dotted prefix) and third-party roots.
ALLOWED: dict[str, tuple[set[str], set[str]]] = {
    "wfm": ({"wfm"}, {"numpy", "scipy", "statsmodels", "ortools", "holidays", "pandas"}),
    "routing": ({"routing"}, set()),
    "telesales": ({"telesales", "routing"}, {"numpy"}),
    "qa": ({"qa", "routing.events"}, {"numpy"}),
    "dashboards": ({"dashboards", "qa", "routing.events"}, {"numpy"}),
    "simulations": ({"simulations", "routing", "telesales", "wfm", "qa"},
                    {"numpy", "scipy", "dask", "distributed"}),
}


def _imports(path: Path) -> list[tuple[int, str]]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found: list[tuple[int, str]] = []
    package = ".".join(path.relative_to(ROOT).with_suffix("").parts[:-1])
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.extend((node.lineno, alias.name) for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - (node.level - 1)] if node.level > 1 else base
                module = ".".join([*base, node.module] if node.module else base)
            else:
                module = node.module or ""
            found.append((node.lineno, module))
    return found


def _allowed(module: str, project_ok: set[str], third_ok: set[str]) -> bool:
    root = module.split(".")[0]
    if root in PROJECT:
        return any(module == p or module.startswith(p + ".") for p in project_ok)
    if root in sys.stdlib_module_names or root == "__future__":
        return True
    return root in third_ok


@pytest.mark.parametrize("folder", sorted(ALLOWED))
def test_core_imports_follow_design(folder: str) -> None:
    project_ok, third_ok = ALLOWED[folder]
    bad = []
    for path in sorted((ROOT / folder).rglob("*.py")):
        for lineno, module in _imports(path):
            if not _allowed(module, project_ok, third_ok):
                bad.append(f"{path.relative_to(ROOT)}:{lineno} imports {module}")
    assert not bad, "imports outside DESIGN.md's table:\n" + "\n".join(bad)


@pytest.mark.parametrize("folder", sorted(ALLOWED))
def test_cores_never_import_web_or_database(folder: str) -> None:
    for path in sorted((ROOT / folder).rglob("*.py")):
        for lineno, module in _imports(path):
            assert module.split(".")[0] not in WEB_AND_DB, f"{path}:{lineno} imports {module}"


def test_checker_catches_a_forbidden_import() -> None:
    """The walker itself works: forbidden imports in a fake core module are found."""
    found = [m for _, m in _imports_of_source("import numpy\nfrom app.models import Agent\n")]
    assert found == ["numpy", "app.models"]
    assert not _allowed(found[0], *ALLOWED["routing"])
    assert not _allowed(found[1], *ALLOWED["routing"])
    assert _allowed("routing.events", *ALLOWED["qa"])
    assert not _allowed("routing.engine", *ALLOWED["qa"])


def _imports_of_source(src: str) -> list[tuple[int, str]]:
    out: list[tuple[int, str]] = []
    for node in ast.walk(ast.parse(src)):
        if isinstance(node, ast.Import):
            out.extend((node.lineno, a.name) for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            out.append((node.lineno, node.module))
    return out


def test_no_clock_reads_or_global_randomness_in_cores() -> None:
    """Time and chance are arguments: cores never read the clock or seed a global RNG."""
    forbidden = ("datetime.now(", "datetime.utcnow(", "time.time(", "time.monotonic(",
                 "date.today(", "np.random.seed(", "random.seed(", "np.random.rand(",
                 "np.random.normal(", "np.random.poisson(", "np.random.exponential(")
    bad = []
    for folder in ALLOWED:
        for path in sorted((ROOT / folder).rglob("*.py")):
            text = path.read_text(encoding="utf-8")
            for token in forbidden:
                if token in text:
                    bad.append(f"{path.relative_to(ROOT)} uses {token}")
    assert not bad, "\n".join(bad)


# --- no facades that hide import cycles (issue 8) ------------------------------------------

PACKAGES = ("app", "wfm", "routing", "qa", "dashboards", "simulations", "telesales")


def _defined_names(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(node.name)
        elif isinstance(node, (ast.Assign, ast.AnnAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            names |= {n.id for t in targets for n in ast.walk(t) if isinstance(n, ast.Name)}
    return names


def _from_imports(path: Path) -> list[tuple[str, str]]:
    return [(node.module, alias.name) for node in ast.walk(ast.parse(path.read_text()))
            if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module
            for alias in node.names]


def _package_files() -> list[Path]:
    return [p for pkg in PACKAGES for p in (ROOT / pkg).rglob("*.py")]


def test_kpi_formulas_module_re_exports_nothing() -> None:
    """``qa.kpis`` holds the formulas only: a record, a count or agent time is imported from
    the module that defines it (``qa.records``, ``qa.counts``, ``qa.agent_time``)."""
    own = _defined_names(ROOT / "qa" / "kpis.py")
    wrong = [f"{p.relative_to(ROOT)}: {name}" for p in [*_package_files(),
                                                         *(ROOT / "tests").rglob("*.py")]
             for module, name in _from_imports(p) if module == "qa.kpis" and name not in own]
    assert not wrong, wrong


def test_the_erlang_entry_module_is_for_users_not_for_our_own_code() -> None:
    """``wfm.erlang`` gathers the Erlang names for users of the library (``from wfm.erlang
    import erlang_c, erlang_a, required_agents``); the project's own modules import from
    where each name is defined, so no module depends on the gathering one."""
    wrong = [str(p.relative_to(ROOT)) for p in _package_files()
             for module, _ in _from_imports(p) if module == "wfm.erlang"]
    assert not wrong, wrong


@pytest.mark.parametrize(("module", "must_not_import"), [
    ("app/queries.py", "app.qa_report"),
    ("wfm/erlang_a.py", "wfm.staffing"),
    ("wfm/erlang_c.py", "wfm.staffing"),
    ("qa/records.py", "qa.kpis"),
    ("qa/counts.py", "qa.kpis"),
    ("qa/kpis.py", "qa.accumulator"),
])
def test_no_import_cycles_between_the_named_pairs(module: str, must_not_import: str) -> None:
    imported = {m for m, _ in _from_imports(ROOT / module)}
    imported |= {a.name for node in ast.walk(ast.parse((ROOT / module).read_text()))
                 if isinstance(node, ast.Import) for a in node.names}
    assert must_not_import not in imported
