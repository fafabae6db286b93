"""One direction between apps, no cycles between modules (issue 10 item 3).

Every module under the four apps is parsed with `ast`, imports inside functions included, so a local
import cannot hide an arrow. Only imports under `if TYPE_CHECKING:` are left out: they never run.
The direction is `web` -> `cases` -> `importers` -> `cee_portal` (docs/architecture.md); `demo`
sits on top beside `web` and seeds both apps.
"""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
APPS = ("cee_portal", "importers", "cases", "web", "demo")
# Which apps each app may import (besides itself). cee_portal is the base and imports no app.
ALLOWED = {
    "cee_portal": set(),
    "importers": {"cee_portal"},
    "cases": {"cee_portal", "importers"},
    "web": {"cee_portal", "importers", "cases"},
    "demo": {"cee_portal", "importers", "cases"},
}


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


UNRESOLVED: list[str] = []


def _imports(tree: ast.AST, module: str, is_package: bool, known: set[str]) -> set[str]:
    """The project modules a module imports, resolving relative imports and `from pkg import mod`."""
    found: set[str] = set()
    package = module if is_package else module.rpartition(".")[0]

    def add(name: str) -> None:
        # The longest known module that the name is or lies in.
        while name and name not in known:
            name = name.rpartition(".")[0]
        if name:
            found.add(name)

    def visit(node: ast.AST) -> None:
        if isinstance(node, ast.If) and _is_type_checking(node.test):
            for child in node.orelse:
                visit(child)
            return
        if isinstance(node, ast.Import):
            for alias in node.names:
                add(alias.name)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - (node.level - 1)]
                target = ".".join(base + ([node.module] if node.module else []))
                if target not in known:
                    UNRESOLVED.append(f"{module}: from {'.' * node.level}{node.module or ''} ({target})")
            else:
                target = node.module or ""
            for alias in node.names:
                # `from package import module` imports the module; `from module import name` the module.
                full = f"{target}.{alias.name}"
                add(full if full in known else target)
        for child in ast.iter_child_nodes(node):
            visit(child)

    visit(tree)
    found.discard(module)
    return found


def import_graph() -> dict[str, set[str]]:
    files = {}
    for app in APPS:
        for path in sorted((ROOT / app).rglob("*.py")):
            if "migrations" in path.parts:
                continue
            files[module_name(path)] = path
    known = set(files)
    return {
        name: _imports(ast.parse(path.read_text(), str(path)), name, path.name == "__init__.py", known)
        for name, path in files.items()
    }


GRAPH = import_graph()


def app_of(module: str) -> str:
    return module.split(".")[0]


def test_the_graph_covers_every_app():
    assert {app_of(m) for m in GRAPH} == set(APPS)
    assert len(GRAPH) > 100


@pytest.mark.parametrize("app", APPS)
def test_imports_point_only_down(app):
    """(a) importers imports neither cases nor web, (b) cases not web, (c) cee_portal no app."""
    upward = sorted(
        f"{module} imports {target}"
        for module, targets in GRAPH.items()
        if app_of(module) == app
        for target in targets
        if app_of(target) != app and app_of(target) not in ALLOWED[app]
    )
    assert upward == []


def test_every_relative_import_names_a_module_that_exists():
    """A module moved into a subpackage keeps working only if its relative imports moved with it."""
    assert UNRESOLVED == []


def test_the_module_import_graph_has_no_cycles():
    """(d) Tarjan's strongly connected components: every component is one module without a self-loop."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    cycles: list[list[str]] = []
    counter = 0

    def strongconnect(node: str) -> None:
        nonlocal counter
        # Iterative, so a deep graph cannot hit the recursion limit.
        work = [(node, iter(sorted(GRAPH[node])))]
        index[node] = low[node] = counter
        counter += 1
        stack.append(node)
        on_stack.add(node)
        while work:
            current, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(GRAPH[child]))))
                elif child in on_stack:
                    low[current] = min(low[current], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[current])
            if low[current] == index[current]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == current:
                        break
                if len(component) > 1:
                    cycles.append(sorted(component))

    for node in sorted(GRAPH):
        if node not in index:
            strongconnect(node)
    assert cycles == []


def test_the_checker_sees_local_and_relative_imports():
    """The parser must catch what it is there to catch: an import inside a function, a relative one."""
    source = (
        "def f():\n    from ..models import X\n    import cases.models\n"
        "if TYPE_CHECKING:\n    import web\n"
    )
    known = {"importers", "importers.models", "cases.models", "web", "importers.entries.ingest"}
    assert _imports(ast.parse(source), "importers.entries.ingest", False, known) == {
        "importers.models",
        "cases.models",
    }
