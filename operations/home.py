"""The operations' panels of the home page (see :mod:`plie.core.home`), registered by
``OperationsConfig.ready()``: the gestionnaire's FSE operations of the year and the FSE data
completeness across their PLIE. Counts only (no personal data), on the operations whose figures
the user may see."""

from django.urls import reverse

from operations.models import Operation
from operations.selectors import COMPTEURS_RESUME, completude_par_operation, completude_par_plie, de_l_annee

OPERATIONS_MAX = 8


def operations_fse(scope, today):
    """« Opérations FSE »: the operations of the year with their enrolments and incomplete entry
    questionnaires (2 queries: the operations, one grouped aggregate)."""
    lignes, total = completude_par_operation(
        de_l_annee(Operation.objects.visible_to(scope), today.year).order_by("date_debut", "code", "pk"),
        today,
    )
    for operation in lignes:
        operation.completude_url = (
            reverse("operations:completude", args=[operation.pk])
            if scope.sees_personal_data(operation.plie_id)
            else ""
        )
    return {
        "template": "operations/includes/home_operations.html",
        "annee": today.year,
        "operations": lignes[:OPERATIONS_MAX],
        "autres": max(len(lignes) - OPERATIONS_MAX, 0),
        "nombre": len(lignes),
    }


def completude_fse(scope, today):
    """« Complétude des données FSE »: across the operations of the year, the incomplete entry
    questionnaires, the exit data still to record within 4 weeks and the exits past the window
    without data (1 query)."""
    par_plie = completude_par_plie(scope.plie_ids, today)
    counts = {cle: sum(ligne[cle] for ligne in par_plie.values()) for cle in COMPTEURS_RESUME}
    return {"template": "operations/includes/home_completude.html", "annee": today.year, **counts}
