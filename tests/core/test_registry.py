"""The extension points of plie.core.registry: order, idempotence, per-role panels, explicit
replacement; what the installed apps register; core importing no app."""

import ast
from pathlib import Path

import pytest
from django.apps import apps

from entreprises import suivi_sortie
from operations import alertes as operations_alertes
from operations import home as operations_home
from parcours import alertes as parcours_alertes
from parcours import home as parcours_home
from plie.core import registry
from plie.core.enums import Role
from plie.core.registry import ExtensionPoint, key_of
from reporting import home as reporting_home

ROOT = Path(__file__).resolve().parents[2]
APPS = {"participants", "parcours", "operations", "finances", "reporting"}


def first(*args):
    return "first"


def second(*args):
    return "second"


def third(*args):
    return "third"


def names(functions):
    return [function.__name__ for function in functions]


# --- ExtensionPoint, on its own ----------------------------------------------------------------


def test_the_key_is_the_dotted_path():
    assert key_of(first) == "tests.core.test_registry.first"


def test_functions_come_in_registration_order():
    point = ExtensionPoint("essai")
    for function in (second, first, third):
        assert point.register(function) is function
    assert names(point.functions()) == ["second", "first", "third"]


def test_registering_again_adds_nothing_and_keeps_the_place():
    point = ExtensionPoint("essai")
    for function in (first, second, third, first, second):
        point.register(function)
    assert names(point.functions()) == ["first", "second", "third"]


def test_the_same_key_again_swaps_the_function_in_place():
    point = ExtensionPoint("essai")
    point.register(first, key="a")
    point.register(second, key="b")
    point.register(third, key="a")
    assert names(point.functions()) == ["third", "second"]


def test_groups_are_kept_apart():
    point = ExtensionPoint("essai")
    point.register(first, group=Role.REFERENT)
    point.register(second, group=Role.GESTIONNAIRE)
    point.register(first, group=Role.GESTIONNAIRE)  # the same function for another role
    assert names(point.functions(Role.REFERENT)) == ["first"]
    assert names(point.functions(Role.GESTIONNAIRE)) == ["second", "first"]
    assert point.functions(Role.DIRECTION) == []
    assert point.functions() == []  # no group: only what was registered without one


@pytest.mark.parametrize(
    ("registrations", "expected"),
    [
        # (function, replaces) in registration order -> the functions in order
        ([(first, None), (second, None), (third, first)], ["third", "second"]),
        ([(third, first), (first, None), (second, None)], ["third", "second"]),  # replacement first
        ([(first, None), (third, key_of(second))], ["first", "third"]),  # replaced one absent
        ([(first, None), (second, first), (third, second)], ["third"]),  # a replacement replaced
        ([(first, None), (second, None), (third, "tests.core.test_registry.second")], ["first", "third"]),
    ],
)
def test_a_replacement_takes_the_place_of_the_piece_it_replaces(registrations, expected):
    point = ExtensionPoint("essai")
    for function, replaces in registrations:
        point.register(function, replaces=replaces)
    assert names(point.functions()) == expected


def test_a_replacement_only_applies_within_its_group():
    point = ExtensionPoint("essai")
    point.register(first, group=Role.REFERENT)
    point.register(second, group=Role.GESTIONNAIRE, replaces=first)
    assert names(point.functions(Role.REFERENT)) == ["first"]
    assert names(point.functions(Role.GESTIONNAIRE)) == ["second"]


def test_two_replacements_of_one_piece_are_refused():
    point = ExtensionPoint("essai")
    point.register(first)
    point.register(second, replaces=first)
    point.register(second, replaces=first)  # the same registration again is fine
    with pytest.raises(ValueError, match="déjà remplacé par tests.core.test_registry.second"):
        point.register(third, replaces=first)
    with pytest.raises(ValueError, match="ne peut pas se remplacer lui-même"):
        point.register(third, replaces=third)
    assert names(point.functions()) == ["second"]


def test_unregister():
    point = ExtensionPoint("essai")
    point.register(first)
    point.register(second, group=Role.REFERENT)
    point.unregister(first)
    point.unregister(second)  # not in the default group: nothing happens
    point.unregister("nothing.registered")
    assert point.functions() == []
    point.unregister(second, group=Role.REFERENT)
    assert point.functions(Role.REFERENT) == []


# --- What the installed apps register ----------------------------------------------------------


def test_home_panels_per_role_in_app_order():
    assert registry.home_panels(Role.REFERENT) == [
        parcours_home.file_active,
        parcours_home.prochains_rdv,
        parcours_home.a_traiter,
        suivi_sortie.panel_relances,
    ]
    assert registry.home_panels(Role.ANIMATION) == [
        parcours_home.commissions,
        parcours_home.dossiers_sans_contact,
    ]
    assert registry.home_panels(Role.GESTIONNAIRE) == [
        suivi_sortie.panel_relances,
        operations_home.operations_fse,
        operations_home.completude_fse,
        reporting_home.bilan_annuel,
    ]
    assert registry.home_panels(Role.DIRECTION) == [reporting_home.taux_annee]
    assert registry.home_panels(Role.FINANCEUR) == [reporting_home.indicateurs_agreges]
    assert registry.home_panels(Role.ADMINISTRATEUR) == []


def test_alert_sources_with_operations_replacing_the_fse_exit_source():
    assert registry.alert_sources() == [
        parcours_alertes.alertes_actifs,
        parcours_alertes.alertes_suspensions,
        operations_alertes.alertes_donnees_sortie_fse,
        parcours_alertes.alertes_ajournements,
    ]


def test_timeline_sources_and_demo_steps_in_app_order():
    assert [function.__module__ for function in registry.timeline_sources()] == (
        ["participants.timeline"] * 4
        + ["parcours.timeline"] * 7
        + ["entreprises.timeline"]
        + ["operations.timeline"]
    )
    assert [key_of(step) for step in registry.demo_steps()] == [
        "participants.demo.create_participants",
        "participants.demo.create_situations_and_freins",
        "parcours.demo.create_parcours",
        "parcours.demo.create_partner_accounts",
        "entreprises.demo.create_entreprises",
        "operations.demo.create_operations",
        "finances.demo.create_finances",
    ]


def test_ready_running_twice_changes_nothing():
    points = (
        registry.HOME_PANELS,
        registry.DEMO_STEPS,
        registry.TIMELINE_SOURCES,
        registry.ALERT_SOURCES,
        registry.DOSSIER_PANELS,
    )
    roles = [None, *Role]
    before = [[point.functions(role) for role in roles] for point in points]
    for app_config in apps.get_app_configs():
        app_config.ready()
    assert [[point.functions(role) for role in roles] for point in points] == before


# --- Core imports no app -----------------------------------------------------------------------


def imported_modules(path):
    """Every module an ``import`` statement of ``path`` names, at any depth (functions included)."""
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            yield node.module


def test_core_imports_no_app():
    offending = [
        f"{path.relative_to(ROOT)}: {module}"
        for path in sorted((ROOT / "plie" / "core").rglob("*.py"))
        if "migrations" not in path.parts
        for module in imported_modules(path)
        if module.split(".")[0] in APPS
    ]
    assert offending == []
