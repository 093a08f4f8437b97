"""No import circle inside ally_wizard.tui: read every module's imports with `ast` and look for a cycle.

Every import counts: at module level, inside a function, and under `if TYPE_CHECKING:` too (a type-only
circle still ties the modules together for readers and for mypy). Screens reach the app through
`self.app`, and the app reaches screens by name (`steps.make_screen`), so neither side imports the other.
Run it alone: `python -m pytest tests/unit/test_import_graph.py`.
"""

from __future__ import annotations

import ast
from pathlib import Path

import ally_wizard.tui

PACKAGE = "ally_wizard.tui"
ROOT = Path(ally_wizard.tui.__file__).parent


def _module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join((PACKAGE, *parts))


def _imports(tree: ast.AST, modules: set[str]) -> set[str]:
    found: set[str] = set()

    def visit(node: ast.AST) -> None:
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
            found.update(f"{node.module}.{alias.name}" for alias in node.names)
        for child in ast.iter_child_nodes(node):
            visit(child)

    visit(tree)
    return {name for name in found if name in modules}


def import_graph() -> dict[str, set[str]]:
    """Each tui module and the tui modules it imports (at run time)."""
    paths = sorted(ROOT.rglob("*.py"))
    modules = {_module_name(path) for path in paths}
    return {_module_name(path): _imports(ast.parse(path.read_text()), modules) - {_module_name(path)} for path in paths}


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """A cycle as the list of modules on it, or None."""
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        stack.append(node)
        for target in sorted(graph.get(node, ())):
            if state.get(target) == 1:
                return [*stack[stack.index(target) :], target]
            if target not in state:
                cycle = visit(target)
                if cycle:
                    return cycle
        stack.pop()
        state[node] = 2
        return None

    for node in sorted(graph):
        if node not in state:
            cycle = visit(node)
            if cycle:
                return cycle
    return None


def test_the_graph_is_read() -> None:
    graph = import_graph()
    assert "ally_wizard.tui.widgets.step_bar" in graph["ally_wizard.tui.screens.base"]


def test_the_cycle_finder_finds_one() -> None:
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]


def test_no_import_circle_inside_tui() -> None:
    assert find_cycle(import_graph()) is None
