"""The shape the code keeps (docs/architecture.md): one permission layer, the Scope passed
explicitly, imports one way. Read from the source with ``ast``, so a regression fails here."""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
APPS = ("participants", "parcours", "entreprises", "operations", "finances", "reporting", "rgpd")
# participants ← parcours ← entreprises ← operations ← finances ← reporting:
# an app may import the ones before it; rgpd (protection of data) reads the apps before
# reporting and is imported by none (nor imports reporting)
ORDER = {app: i for i, app in enumerate(APPS)}


def sources(*folders):
    for folder in folders:
        for path in sorted((ROOT / folder).rglob("*.py")):
            if "migrations" not in path.parts:
                yield path


def imported_modules(tree):
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            yield node, [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            yield node, [node.module]


def test_only_scoping_touches_the_cached_scope():
    offenders = [
        str(path.relative_to(ROOT))
        for path in sources(*APPS, "plie", "bench")
        if "_plie_scope" in path.read_text() and path.name != "scoping.py"
    ]
    assert offenders == []


@pytest.mark.parametrize("app", [*APPS, "plie"])
def test_predicates_live_in_permissions_modules(app):
    """Every ``can_*`` / ``peut_*`` / ``may_*`` function is in its app's ``permissions.py``."""
    misplaced = []
    for path in sources(app):
        if path.name == "permissions.py":
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.FunctionDef) and node.name.startswith(("can_", "peut_", "may_")):
                misplaced.append(f"{path.relative_to(ROOT)}:{node.lineno} {node.name}")
    assert misplaced == []


@pytest.mark.parametrize("app", APPS)
def test_every_app_has_its_permissions_module(app):
    assert (ROOT / app / "permissions.py").exists()


def test_imports_flow_one_way():
    """participants ← parcours ← entreprises ← operations ← finances ← reporting;
    nothing imports reporting."""
    backwards = []
    for app in APPS:
        for path in sources(app):
            for node, modules in imported_modules(ast.parse(path.read_text())):
                for module in modules:
                    target = module.split(".")[0]
                    if target in ORDER and ORDER[target] > ORDER[app]:
                        backwards.append(f"{path.relative_to(ROOT)}:{node.lineno} imports {module}")
    assert backwards == []


def test_rgpd_does_not_import_reporting():
    offenders = []
    for path in sources("rgpd"):
        for node, modules in imported_modules(ast.parse(path.read_text())):
            if any(module.split(".")[0] == "reporting" for module in modules):
                offenders.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert offenders == []


def test_core_imports_no_app():
    offenders = []
    for path in sources("plie/core"):
        for node, modules in imported_modules(ast.parse(path.read_text())):
            if any(module.split(".")[0] in APPS for module in modules):
                offenders.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert offenders == []


def test_services_and_selectors_take_a_scope_not_a_user():
    """No function of a service, selector, export or permission module takes a ``user`` to
    re-derive a scope: it takes the :class:`~plie.core.scoping.Scope`."""
    offenders = []
    for app in APPS:
        for path in sources(app):
            text = path.read_text()
            if "scope_for(" not in text:
                continue
            for node in ast.walk(ast.parse(text)):
                if isinstance(node, ast.FunctionDef):
                    params = [a.arg for a in (*node.args.args, *node.args.kwonlyargs)]
                    body = ast.get_source_segment(text, node) or ""
                    if "user" in params and "scope_for(user)" in body:
                        offenders.append(f"{path.relative_to(ROOT)}:{node.lineno} {node.name}")
    assert offenders == []
