"""The core is the library only: it imports no plugin package, names no built-in
backend, and its modules import each other without a cycle."""

import ast
from pathlib import Path

import gigs_core
from gigs_core.registry import KINDS, specs

CORE = Path(gigs_core.__file__).resolve().parent

#: Strings that equal a backend name but are allowed: the default trunk of the shift predictor is
#: the paper's ResNet18, built by the timm plugin's feature extractor (a setting the user can
#: change); and the pipeline records the version of the timm *package* (a core dependency).
ALLOWED_NAMES = {("config.py", "timm"), ("pipeline.py", "timm")}


def core_modules() -> dict[str, ast.Module]:
    """Every module of gigs_core by dotted name, parsed."""
    modules = {}
    for path in sorted(CORE.rglob("*.py")):
        parts = path.relative_to(CORE.parent).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        modules[name] = ast.parse(path.read_text(), filename=str(path))
    return modules


def _runtime_nodes(tree: ast.AST):
    """Every node, skipping ``if TYPE_CHECKING:`` blocks (type-only imports never run)."""
    for node in ast.iter_child_nodes(tree):
        if isinstance(node, ast.If) and getattr(node.test, "id", None) == "TYPE_CHECKING":
            continue
        yield node
        yield from _runtime_nodes(node)


def imported_modules(tree: ast.Module, module: str) -> set[str]:
    """Every module ``tree`` imports when it runs, at any depth (function-level imports included)."""
    found = set()
    for node in _runtime_nodes(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:  # relative import
                package = module.split(".")[: -node.level] if not module.endswith("__init__") else module.split(".")
                base = ".".join(package + ([base] if base else []))
            found.add(base)
            found.update(f"{base}.{alias.name}" for alias in node.names)
    return found


def test_the_core_imports_no_plugin_package():
    for module, tree in core_modules().items():
        plugins = {name for name in imported_modules(tree, module)
                   if name.startswith("gigs_") and not name.startswith("gigs_core")}
        assert not plugins, f"{module} imports plugin packages {sorted(plugins)}"


def test_the_core_names_no_built_in_backend():
    built_in = {name for kind in KINDS for name, spec in specs(kind).items()
                if spec.origin.distribution == "gigs" and spec.plugin != "core"}
    assert {"progan", "dvbpr", "ground-truth", "toy"} <= built_in
    for path in sorted(CORE.rglob("*.py")):
        tree = ast.parse(path.read_text())
        named = {node.value for node in ast.walk(tree) if isinstance(node, ast.Constant) and node.value in built_in}
        named -= {name for file, name in ALLOWED_NAMES if path.name == file}
        assert not named, f"{path.relative_to(CORE.parent)} names built-in backends {sorted(named)}"


def test_core_modules_import_each_other_without_a_cycle():
    modules = core_modules()
    graph = {module: {name for name in imported_modules(tree, module) if name in modules and name != module}
             for module, tree in modules.items()}
    visiting, done = set(), set()

    def visit(module: str, path: list[str]) -> None:
        if module in done:
            return
        assert module not in visiting, "import cycle: " + " → ".join(path + [module])
        visiting.add(module)
        for target in sorted(graph[module]):
            visit(target, path + [module])
        visiting.discard(module)
        done.add(module)

    for module in sorted(graph):
        visit(module, [])
