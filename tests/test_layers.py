"""The layers of DESIGN.md, read from the source itself: no module imports a layer above its own,
and no two modules import each other, however indirectly (in-function imports count too).

import-linter (`lint-imports`, contracts in pyproject.toml) checks the same order in `make test`;
this test also catches cycles inside a layer and imports hidden in functions.
"""
from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("parsers", "rules", "pipeline", "outbox", "bench")

# Lowest first. A module's layer is that of the longest prefix listed here.
LAYERS = {
    "parsers": 0,
    "rules": 1,
    "pipeline": 2,
    "outbox": 3,
    "pipeline.app": 4,
    "pipeline.cli": 5, "pipeline.console": 5, "pipeline.demo": 5, "pipeline.__main__": 5,
    "bench": 6,
}


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def modules() -> dict[str, Path]:
    return {module_name(p): p for package in PACKAGES for p in (ROOT / package).rglob("*.py")}


def layer(module: str) -> int:
    prefixes = [p for p in LAYERS if module == p or module.startswith(p + ".")]
    return LAYERS[max(prefixes, key=len)]


def imported(tree: ast.AST, known: dict[str, Path]) -> set[str]:
    """The modules of ours a module imports, anywhere in it; `from a import b` is a.b if that
    is a module, else a."""
    found: set[str] = set()
    for node in ast.walk(tree):
        names = []
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [f"{node.module}.{a.name}" if f"{node.module}.{a.name}" in known else node.module
                     for a in node.names]
        found |= {n for n in names if n.split(".")[0] in PACKAGES + ("tests",)}
    return found


def graph() -> dict[str, set[str]]:
    known = modules()
    return {name: imported(ast.parse(path.read_text(encoding="utf-8")), known)
            for name, path in known.items()}


def cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan, iteratively)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []
    for start in edges:
        if start in index:
            continue
        work = [(start, iter(sorted(edges[start])))]
        index[start] = low[start] = len(index)
        stack.append(start)
        while work:
            node, children = work[-1]
            child = next((c for c in children if c in edges), None)
            if child is None:
                work.pop()
                if work:
                    low[work[-1][0]] = min(low[work[-1][0]], low[node])
                if low[node] == index[node]:
                    component = []
                    while (member := stack.pop()) != node:
                        component.append(member)
                    component.append(node)
                    if len(component) > 1:
                        found.append(sorted(component))
            elif child not in index:
                index[child] = low[child] = len(index)
                stack.append(child)
                work.append((child, iter(sorted(edges[child]))))
            elif child in stack:
                low[node] = min(low[node], index[child])
    return found


def test_no_module_imports_a_layer_above_its_own():
    upward = [f"{m} (L{layer(m)}) imports {t}" + ("" if t.startswith("tests") else f" (L{layer(t)})")
              for m, targets in graph().items() for t in sorted(targets)
              if t.startswith("tests") or layer(t) > layer(m)]
    assert upward == []


def test_no_import_cycles():
    assert cycles(graph()) == []


def test_the_cycle_finder_finds_a_cycle():
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


def test_every_package_says_what_lives_there_and_what_it_may_import():
    packages = [p for package in PACKAGES for p in (ROOT / package).rglob("__init__.py")]
    unsaid = [str(p.relative_to(ROOT)) for p in packages
              if "import" not in (ast.get_docstring(ast.parse(p.read_text(encoding="utf-8"))) or "")]
    assert unsaid == []


def test_the_pipeline_top_level_holds_a_handful_of_modules():
    top = sorted(p.name for p in (ROOT / "pipeline").glob("*.py"))
    assert top == ["__init__.py", "__main__.py", "errors.py", "failpoints.py", "stages.py"]


# A string that is SQL: what the store's named functions alone may hold.
SQL = re.compile(r"\b(select\s.+\sfrom|insert\s+into|delete\s+from|update\s+\S+\s+set|"
                 r"create\s+(table|view|index)|drop\s+(table|view))\b", re.I | re.S)
_DOCUMENTED = (ast.Module, ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)


def sql_strings(source: str) -> list[str]:
    """The string constants of a module's source that read as SQL, docstrings aside."""
    tree = ast.parse(source)
    docstrings = {id(node.body[0].value) for node in ast.walk(tree)
                  if isinstance(node, _DOCUMENTED) and node.body
                  and isinstance(node.body[0], ast.Expr)}
    return [node.value[:60] for node in ast.walk(tree)
            if isinstance(node, ast.Constant) and isinstance(node.value, str)
            and id(node) not in docstrings and SQL.search(node.value)]


def test_no_sql_outside_the_store():
    """Every query lives in pipeline/store/ behind a named function."""
    found = {name: hits for name, path in modules().items()
             if not name.startswith(("pipeline.store", "bench"))
             and (hits := sql_strings(path.read_text(encoding="utf-8")))}
    assert found == {}


def test_the_sql_finder_finds_sql_but_not_in_a_docstring():
    source = ('"""Reads rows: select id from outbox."""\n'
              'def f():\n    """delete from nothing"""\n'
              '    return "select id from outbox where status = ?"\n')
    assert sql_strings(source) == ["select id from outbox where status = ?"]
