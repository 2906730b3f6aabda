"""The house keeps its floors: no import circle among POA's modules (imports inside functions
included), and no module imports from a floor above its own. The floors, bottom up, as the
README's «Organización del código» describes them."""

import ast
from pathlib import Path

import pytest

POA = Path(__file__).resolve().parents[1] / "poa"

# Bottom up: a module may import its own floor and the ones below.
FLOORS = [
    ("poa.jobs", "poa.logs", "poa.formats"),  # plumbing that imports nothing of POA
    ("poa.rules",),
    ("poa.models",),
    ("poa.selectors",),
    ("poa.documents",),
    ("poa.services",),
    (
        "poa.web",
        "poa.templatetags",
        "poa.admin",
        "poa.management",
        "poa.urls",
        "poa.checks",
        "poa.apps",
    ),
    ("poa.settings", "poa.wsgi", "poa.asgi"),
]
# Django imports these when every app is ready: the system checks and the signal receivers.
READY = {("poa.apps", "poa.checks"), ("poa.apps", "poa.web.security")}


def module_name(path):
    parts = path.relative_to(POA.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def sources():
    for path in sorted(POA.rglob("*.py")):
        if "migrations" not in path.parts:
            yield module_name(path), path


MODULES = dict(sources())


def target(name):
    """The module an imported name lives in: poa.selectors.access, not poa.selectors."""
    while name not in MODULES and "." in name:
        name = name.rsplit(".", 1)[0]
    return name


def imports(path):
    """(imported POA module, line, inside a function) for every import of the file."""
    tree = ast.parse(path.read_text())
    top = {id(node) for node in tree.body}
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names = [f"{node.module}.{alias.name}" for alias in node.names]
        elif isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        else:
            continue
        for name in names:
            if name == "poa" or name.startswith("poa."):
                yield target(name), node.lineno, id(node) not in top


GRAPH = {
    module: {(imported, line, nested) for imported, line, nested in imports(path)}
    for module, path in MODULES.items()
}


def floor(module):
    for number, prefixes in enumerate(FLOORS):
        if any(module == p or module.startswith(p + ".") for p in prefixes):
            return number
    raise AssertionError(f"{module} no pertenece a ningún piso de FLOORS")


def test_every_module_has_a_floor():
    for module in MODULES:
        if module != "poa":
            floor(module)


def test_no_module_imports_from_a_floor_above_its_own():
    climbing = [
        f"{module}:{line} → {imported}"
        for module, edges in GRAPH.items()
        for imported, line, _ in edges
        if module != "poa" and imported != "poa" and floor(imported) > floor(module)
    ]
    assert climbing == []


def test_no_import_inside_a_function_but_the_apps_ready():
    nested = [
        f"{module}:{line} → {imported}"
        for module, edges in GRAPH.items()
        for imported, line, inside in edges
        if inside and (module, imported) not in READY
    ]
    assert nested == []


def cycles(graph):
    """Strongly connected components of more than one module (Tarjan)."""
    index, low, stack, on_stack, found = {}, {}, [], set(), []

    def visit(node):
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for succ in graph.get(node, ()):
            if succ not in index:
                visit(succ)
                low[node] = min(low[node], low[succ])
            elif succ in on_stack:
                low[node] = min(low[node], index[succ])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in graph:
        if node not in index:
            visit(node)
    return found


def test_no_import_circle_among_poa_modules():
    graph = {
        module: {imported for imported, _, _ in edges if imported not in (module, "poa")}
        for module, edges in GRAPH.items()
    }
    assert cycles(graph) == []


@pytest.mark.parametrize(
    "graph, expected",
    [
        ({"a": {"b"}, "b": {"c"}, "c": {"a"}}, [["a", "b", "c"]]),
        ({"a": {"b"}, "b": {"c"}, "c": set()}, []),
    ],
)
def test_the_circle_finder_finds_a_circle_and_only_a_circle(graph, expected):
    assert cycles(graph) == expected
