"""No import cycles among courtwatch's modules, counting imports inside functions too.

A function-level import that closes a cycle works until someone moves it to the top of the file
(or ruff does); then the app fails to start, in an order-dependent way. The graph is read from the
source with ``ast``: ``from courtwatch.x import y`` is an edge to ``courtwatch.x.y`` when that is a
module, else to ``courtwatch.x``. Importing a module also runs its package's ``__init__``; those
edges are not counted (the packages' ``__init__`` files import nothing but ``courtwatch``'s own,
which imports its areas only inside ``create_app``).
"""

from __future__ import annotations

import ast
from graphlib import CycleError, TopologicalSorter
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "courtwatch"


def _module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def import_graph() -> dict[str, set[str]]:
    modules = {_module_name(path): path for path in PACKAGE.rglob("*.py")}
    graph: dict[str, set[str]] = {name: set() for name in modules}
    for name, path in modules.items():
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            targets: list[str] = []
            if isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                    base = ".".join([*anchor, base] if base else anchor)
                targets = [
                    f"{base}.{alias.name}" if f"{base}.{alias.name}" in modules else base for alias in node.names
                ]
            graph[name].update(target for target in targets if target in modules and target != name)
    return graph


def first_cycle(graph: dict[str, set[str]]) -> list[str]:
    """One import cycle (module, ..., the same module), or [] when there is none."""
    try:
        TopologicalSorter(graph).prepare()
    except CycleError as error:
        return list(error.args[1])
    return []


def test_the_graph_sees_function_level_imports():
    graph = import_graph()
    assert "courtwatch.shifts.views" in graph["courtwatch"]  # imported inside create_app
    assert "courtwatch.feeds.builders" in graph["courtwatch.shifts.notices"]  # inside _calendar_attachment


def test_no_import_cycles():
    assert first_cycle(import_graph()) == []
