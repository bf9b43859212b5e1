"""The operations' panels of the home page (see :mod:`plie.core.home`), registered by
``OperationsConfig.ready()``: the gestionnaire's FSE operations of the year and the FSE data
completeness across their PLIE. Counts only (no personal data), on the operations whose figures
the user may see."""

from django.urls import reverse

from operations.models import Operation
from operations.selectors import COMPTEURS_RESUME, completude_par_operation, de_l_annee
from plie.core.home import partage

OPERATIONS_MAX = 8


def completude_de_l_annee(scope, today):
    """``(lignes, total)`` of :func:`operations.selectors.completude_par_operation` over the
    operations of the year whose figures ``scope`` may see (2 queries), computed once for both
    panels of the page (:func:`plie.core.home.partage`)."""

    def calcul():
        operations = de_l_annee(Operation.objects.visible_to(scope), today.year)
        return completude_par_operation(operations.order_by("date_debut", "code", "pk"), today)

    return partage(("operations.completude_de_l_annee", scope.plie_ids, today), calcul)


def operations_fse(scope, today):
    """« Opérations FSE »: the operations of the year with their enrolments and incomplete entry
    questionnaires (2 queries: the operations, one grouped aggregate; shared with
    :func:`completude_fse`)."""
    lignes, total = completude_de_l_annee(scope, today)
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
    without data: the total line of :func:`operations_fse`'s counts (the enrolments of the
    operations of the year of the PLIE whose figures the user may see, as
    ``operations.selectors.completude_par_plie`` counts them), no query of its own on the home
    page (2 when called alone)."""
    _lignes, total = completude_de_l_annee(scope, today)
    counts = {cle: total[cle] for cle in COMPTEURS_RESUME}
    return {"template": "operations/includes/home_completude.html", "annee": today.year, **counts}
