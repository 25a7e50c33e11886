"""No import cycle between the modules of atn_hub, schemas and search_index.

The graph is read from the source with ``ast`` (nothing is imported). Counted: every ``import`` and ``from ...
import`` a module makes, wherever it is written, at the top or inside a function or a class: a function-local
import still makes its module depend on the other when it runs, and hiding a cycle there is what this test is
for. Not counted: imports under ``if TYPE_CHECKING:`` (never run: annotations only), modules outside the three
packages, and dynamic imports (``importlib``).

``from package import name`` is an edge to the submodule ``package.name`` when there is one, else to
``package`` (its ``__init__``). Importing ``a.b.c`` also runs the ``__init__`` of ``a`` and ``a.b``; those
implicit edges are not counted (as in grimp and import-linter): they would put every module in a cycle with
a package ``__init__`` that imports it.
"""
from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("atn_hub", "schemas", "search_index")

@dataclass(frozen=True)
class Import:
    target: str
    path: Path
    line: int
    in_function: bool

    def __str__(self) -> str:
        where = " (in a function)" if self.in_function else ""
        return f"{self.path.relative_to(ROOT)}:{self.line}{where} -> {self.target}"


def _modules() -> dict[str, Path]:
    modules = {}
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            parts = path.relative_to(ROOT).with_suffix("").parts
            modules[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    return modules


def _is_type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING")


class _Imports(ast.NodeVisitor):
    def __init__(self, name: str, path: Path, modules: dict[str, Path]):
        self.package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        self.path, self.modules = path, modules
        self.found: list[Import] = []
        self.depth = 0  # functions we are in

    def _add(self, target: str | None, node: ast.stmt) -> None:
        edge = Import(target, self.path, node.lineno, self.depth > 0)
        if target in self.modules and edge not in self.found:  # `from m import a, b`: one edge
            self.found.append(edge)

    def visit_FunctionDef(self, node):
        self.depth += 1
        self.generic_visit(node)
        self.depth -= 1

    visit_AsyncFunctionDef = visit_FunctionDef

    def visit_If(self, node: ast.If):
        if not _is_type_checking(node):
            self.generic_visit(node)
            return
        for child in node.orelse:
            self.visit(child)

    def visit_Import(self, node: ast.Import):
        for alias in node.names:
            name = alias.name
            while name and name not in self.modules:  # `import a.b.c` where c is a name: a.b
                name = name.rpartition(".")[0]
            self._add(name, node)

    def visit_ImportFrom(self, node: ast.ImportFrom):
        base = node.module
        if node.level:  # relative: from the module's package, one level up per dot after the first
            parts = self.package.split(".")
            base = ".".join(parts[:len(parts) - node.level + 1] + ([node.module] if node.module else []))
        for alias in node.names:
            submodule = f"{base}.{alias.name}"
            self._add(submodule if submodule in self.modules else base, node)


def import_graph() -> dict[str, list[Import]]:
    modules = _modules()
    graph = {}
    for name, path in modules.items():
        visitor = _Imports(name, path, modules)
        visitor.visit(ast.parse(path.read_text(), str(path)))
        graph[name] = visitor.found
    return graph


def cycles(graph: dict[str, list[Import]]) -> list[frozenset[str]]:
    """The strongly connected components of more than one module, or of one that imports itself (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[frozenset[str]] = []

    def visit(module: str) -> None:
        index[module] = low[module] = len(index)
        stack.append(module)
        for edge in graph[module]:
            if edge.target not in index:
                visit(edge.target)
                low[module] = min(low[module], low[edge.target])
            elif edge.target in stack:
                low[module] = min(low[module], index[edge.target])
        if low[module] == index[module]:
            component = set()
            while True:
                member = stack.pop()
                component.add(member)
                if member == module:
                    break
            if len(component) > 1 or any(edge.target == module for edge in graph[module]):
                found.append(frozenset(component))

    for module in sorted(graph):
        if module not in index:
            visit(module)
    return found


def describe(graph: dict[str, list[Import]], component: frozenset[str]) -> str:
    """The cycle's modules and every import between them, where it is written."""
    edges = [str(edge) for module in sorted(component) for edge in graph[module] if edge.target in component]
    return f"{', '.join(sorted(component))}:\n    " + "\n    ".join(edges)


GRAPH = import_graph()
CYCLES = cycles(GRAPH)


def test_the_graph_sees_relative_absolute_and_function_local_imports_but_not_type_checking_ones():
    edges = {(module, edge.target, edge.in_function) for module, found in GRAPH.items() for edge in found}
    assert ("atn_hub.services.records", "atn_hub.services.change_log", False) in edges  # from . import change_log
    assert ("atn_hub.services.records", "atn_hub.models", False) in edges  # from ..models import Contact, ...
    assert ("atn_hub.api.webhooks", "schemas.webhooks", False) in edges  # from schemas.webhooks import ...
    assert ("atn_hub", "atn_hub.cli", True) in edges  # from .cli import register_commands, in create_app
    assert not any(module == "atn_hub.extensions" and target == "atn_hub.indexing.node" for module, target, _ in edges)


def test_no_import_cycle_between_modules():
    found = [describe(GRAPH, component) for component in CYCLES]
    assert not found, "import cycles:\n" + "\n".join(found)
