"""The table-driven shape every app's ``permissions.py`` test follows: one row per predicate, the
personas of ``tests.conftest.world`` (plus a superuser) as columns, the objects of PLIE A in a
given state. :func:`check_table` asserts each cell and :func:`assert_every_predicate_tabled`
that no predicate of the module is left out of the table (a new one must come with its row)."""

import inspect

from plie.core.scoping import scope_for
from tests.factories import UserFactory

PERSONAS = (
    "referent_a",
    "animateur_a",
    "gestionnaire_a",
    "direction_a",
    "admin_a",
    "referent_b",
    "oi_user",
    "financeur",
    "referent_operateur",
    "no_role",
    "superuser",
)


def persona_user(world, persona):
    if persona == "superuser":
        return UserFactory(is_superuser=True, is_staff=True)
    return getattr(world, persona)


def allowed_by(*personas):
    """The expected column: ``True`` for ``personas`` (and the superuser), ``False`` elsewhere."""
    unknown = set(personas) - set(PERSONAS)
    assert not unknown, unknown
    return {persona: persona in personas or persona == "superuser" for persona in PERSONAS}


def check_table(world, module, rows, persona):
    """``rows``: ``[(predicate name, object factory(world) -> obj or None, {persona: bool})]``;
    checks the column of ``persona``. Returns the failures (empty when all hold)."""
    scope = scope_for(persona_user(world, persona))
    failures = []
    for name, make, expected in rows:
        predicate = getattr(module, name)
        arity = len(inspect.signature(predicate).parameters)
        got = predicate(scope) if arity == 1 else predicate(scope, make(world))
        if bool(got) is not expected[persona]:
            failures.append(f"{name} for {persona}: {bool(got)} (expected {expected[persona]})")
    return failures


def assert_every_predicate_tabled(module, rows):
    predicates = {
        name
        for name, obj in vars(module).items()
        if name.startswith("can_") and inspect.isfunction(obj) and obj.__module__ == module.__name__
    }
    tabled = {row[0] for row in rows}
    assert predicates <= tabled, f"sans ligne dans la table : {sorted(predicates - tabled)}"
