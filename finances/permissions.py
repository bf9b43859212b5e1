"""Who may see and who may do what with the money and time of operations: every predicate of the
finances app.

Money and time are sensitive (issue #19):

- the **gestionnaire**, **direction** and **administrateur** of a PLIE see its staff, their
  assignments, salaries and time sheets (:func:`finance_plie_ids`); the gestionnaire and the
  administrateur manage them (assignments, proofs);
- each person sees and fills **their own** time sheets, and signs them;
- the **responsable** named on a person's staff record sees that person's sheets to countersign
  them; the direction and the administrateur of the PLIE may countersign too; nobody
  countersigns their own sheet;
- nobody else: a référent sees no one else's sheet, another PLIE nothing (404), a financeur
  nothing (aggregated figures come with the bilan).

Predicates take the :class:`~plie.core.scoping.Scope` and the object; they run no query (the
sheet comes with its ``personnel`` selected)."""

from finances.enums import StatutFiche
from plie.core.enums import Role

VIEW_ROLES = frozenset({Role.GESTIONNAIRE, Role.DIRECTION, Role.ADMINISTRATEUR})
MANAGE_ROLES = frozenset({Role.GESTIONNAIRE, Role.ADMINISTRATEUR})
COUNTERSIGN_ROLES = frozenset({Role.DIRECTION, Role.ADMINISTRATEUR})


def finance_plie_ids(scope):
    """The PLIE whose salaries and time sheets ``scope`` sees (no query)."""
    return frozenset(p for p in scope.plie_ids if scope.has_role(*VIEW_ROLES, plie_id=p))


def can_view_finances(scope, plie_id):
    """See the staff, assignments, salaries and every time sheet of the PLIE ``plie_id``:
    **gestionnaire**, **direction**, **administrateur**."""
    return plie_id in scope.plie_ids and scope.has_role(*VIEW_ROLES, plie_id=plie_id)


def can_manage_finances(scope, plie_id):
    """Record the staff and their assignments (with the proof) in the PLIE ``plie_id``:
    **gestionnaire**, **administrateur**."""
    return plie_id in scope.plie_ids and scope.has_role(*MANAGE_ROLES, plie_id=plie_id)


def _own(scope, personnel):
    return (
        scope.user_id is not None
        and personnel.user_id == scope.user_id
        and personnel.plie_id in scope.plie_ids
    )


def _manager(scope, personnel):
    return (
        scope.user_id is not None
        and personnel.responsable_id == scope.user_id
        and personnel.plie_id in scope.plie_ids
    )


def can_view_temps(scope, personnel):
    """See the time of a person (their sheets, their monthly time state): the **person**, their
    **responsable**, and the **gestionnaire**, **direction** and **administrateur** of the
    PLIE."""
    return _own(scope, personnel) or _manager(scope, personnel) or can_view_finances(scope, personnel.plie_id)


def can_view_fiche(scope, fiche):
    """See a time sheet: whoever may :func:`see the person's time <can_view_temps>`."""
    return can_view_temps(scope, fiche.personnel)


def can_fill_fiche(scope, fiche):
    """Change the hours of a sheet: its **person** only, while it is not signed."""
    return fiche.statut == StatutFiche.BROUILLON and _own(scope, fiche.personnel)


def can_sign_fiche(scope, fiche):
    """Sign a sheet (first signature): its **person**, while it is not signed."""
    return fiche.statut == StatutFiche.BROUILLON and _own(scope, fiche.personnel)


def can_validate_fiche(scope, fiche):
    """Countersign a sheet the person signed: their **responsable**, or the **direction** or the
    **administrateur** of the PLIE; never the person themselves."""
    personnel = fiche.personnel
    if fiche.statut != StatutFiche.SIGNEE or scope.user_id is None or personnel.user_id == scope.user_id:
        return False
    return _manager(scope, personnel) or (
        personnel.plie_id in scope.plie_ids and scope.has_role(*COUNTERSIGN_ROLES, plie_id=personnel.plie_id)
    )


def can_correct_fiche(scope, fiche):
    """Open a correction (a new version) of a signed or validated sheet: its **person**, or the
    **gestionnaire** and the **administrateur** of the PLIE."""
    if fiche.statut not in (StatutFiche.SIGNEE, StatutFiche.VALIDEE):
        return False
    return _own(scope, fiche.personnel) or can_manage_finances(scope, fiche.personnel.plie_id)
