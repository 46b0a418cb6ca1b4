"""The house's structure: no import circles inside ``hub/``, no imports by string.

A circle (a imports b, b imports a, directly or around several modules) is how split
blueprints and cross-feature helpers first went wrong here: whichever module loads first
sees the other half-initialised. Imports inside functions count too: moving an import
into a function hides a circle, it does not remove it."""
from __future__ import annotations

import ast
from pathlib import Path

HUB = Path(__file__).resolve().parents[2] / "hub"


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(HUB.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _modules() -> dict[str, Path]:
    return {_module_name(path): path for path in HUB.rglob("*.py")}


def _resolve(current: str, is_package: bool, level: int, name: str | None) -> str:
    if level == 0:
        return name or ""
    base = current.split(".")
    if not is_package:
        base = base[:-1]
    base = base[:len(base) - (level - 1)]
    return ".".join(base + ([name] if name else []))


def _runtime_nodes(tree: ast.AST):
    """Every node except those under ``if TYPE_CHECKING:`` (imports for annotations
    only, which never run and so cannot form a circle)."""
    stack = [tree]
    while stack:
        node = stack.pop()
        yield node
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.If) and "TYPE_CHECKING" in ast.unparse(child.test):
                stack.extend(child.orelse)
                continue
            stack.append(child)


def import_graph() -> dict[str, set[str]]:
    """module → the hub modules it imports anywhere in its body (at run time)."""
    modules = _modules()
    graph: dict[str, set[str]] = {name: set() for name in modules}
    for name, path in modules.items():
        is_package = path.name == "__init__.py"
        for node in _runtime_nodes(ast.parse(path.read_text(), str(path))):
            targets = []
            if isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                base = _resolve(name, is_package, node.level, node.module)
                targets = [f"{base}.{alias.name}" if f"{base}.{alias.name}" in modules else base
                           for alias in node.names]
            for target in targets:
                while target and target not in modules:  # hub.x.y.Name → hub.x.y
                    target = target.rpartition(".")[0]
                if target.startswith("hub") and target != name:
                    graph[name].add(target)
    return graph


def import_circles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected groups of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    circles: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in sorted(graph.get(node, ())):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.append(member)
                if member == node:
                    break
            if len(group) > 1:
                circles.append(sorted(group))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return circles


def test_the_checker_finds_a_circle():
    assert import_circles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    typed_only = ast.parse("from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    import x\nimport y\n")
    assert [n.names[0].name for n in _runtime_nodes(typed_only) if isinstance(n, ast.Import)] == ["y"]
    assert _resolve("hub.forum.views", False, 1, "models") == "hub.forum.models"
    assert _resolve("hub.forum", True, 2, "database") == "hub.database"


def test_no_import_circles_inside_hub():
    circles = import_circles(import_graph())
    assert not circles, "import circles: " + "; ".join(" ↔ ".join(group) for group in circles)


def test_no_imports_by_string():
    """``import_module("hub.quizzes.services")`` hides a dependency from readers and tools,
    and fails silently where callers swallow the error: import plainly."""
    found = []
    for path in HUB.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if (isinstance(node, ast.Call) and getattr(node.func, "id", getattr(node.func, "attr", None))
                    in ("import_module", "__import__") and node.args and isinstance(node.args[0], ast.Constant)):
                found.append(f"{path.relative_to(HUB.parent)}:{node.lineno}")
            if (isinstance(node, ast.Call) and getattr(node.func, "id", getattr(node.func, "attr", None))
                    == "import_module" and node.args and not isinstance(node.args[0], ast.Constant)):
                found.append(f"{path.relative_to(HUB.parent)}:{node.lineno} (computed name)")
    assert not found, f"imports by string: {found}"
