"""The follow-up six months after exit (FSE+ longer-term result indicators): which exits are due,
for whom, and the home panel reminding those not reached after seven months.

Every exit (positive or not) gets a follow-up due on the exit date + 6 calendar months
(``regles.echeance_suivi``); from exit + 7 months, one not yet recorded is a « relance »
(``regles.etat_suivi``). A référent sees the exits of the parcours they follow; the
gestionnaire, animation, direction and administrateur those of their PLIE."""

from django.db.models import Exists, OuterRef, Q

from entreprises import regles
from entreprises.models import SuiviSixMois
from entreprises.permissions import can_view_suivis_sortie
from parcours.models import Parcours
from parcours.sorties import add_months
from plie.core.enums import Role

HORIZON_MOIS = 24  # exits older than two years are out of the list
TEAM_ROLES = (Role.GESTIONNAIRE, Role.ANIMATION, Role.DIRECTION, Role.ADMINISTRATEUR)


def q_suivis(scope):
    """The parcours whose follow-up ``scope`` sees (``None``: none at all)."""
    conditions = Q(pk__in=[])
    any_plie = False
    for plie_id in sorted(scope.personal_plie_ids):
        if not can_view_suivis_sortie(scope, plie_id):
            continue
        any_plie = True
        if scope.has_role(*TEAM_ROLES, plie_id=plie_id):
            conditions |= Q(plie_id=plie_id)
        else:
            conditions |= Q(plie_id=plie_id, referent_id=scope.user_id)
    return conditions if any_plie else None


def _sorties_echues(scope, today):
    """The exited parcours of ``scope`` whose follow-up may be due by ``today`` (``None`` when
    ``scope`` sees none). Due by today: exit + 6 months <= today; the month-end clamp makes the
    bound inexact, hence a margin of a few days — the callers apply the exact rule on the rows."""
    condition = q_suivis(scope)
    if condition is None:
        return None
    borne = regles.last_of_month(add_months(today, -regles.SUIVI_MOIS))
    return Parcours.objects.filter(condition).filter(
        date_sortie__isnull=False,
        date_sortie__lte=borne,
        date_sortie__gte=add_months(today, -HORIZON_MOIS),
    )


def suivis(scope, today, *, etat=""):
    """The exits whose follow-up is due by ``today`` (and the recorded ones), each with
    ``echeance``, ``relance`` and ``etat``; ``etat`` filters (« a_faire », « relance », « fait »).
    One query."""
    sorties = _sorties_echues(scope, today)
    if sorties is None:
        return None
    rows = sorties.select_related("participant", "referent", "suivi_six_mois").order_by("date_sortie", "pk")
    result = []
    for parcours in rows:
        suivi = getattr(parcours, "suivi_six_mois", None)
        parcours.echeance = regles.echeance_suivi(parcours.date_sortie)
        if parcours.echeance > today:
            continue
        parcours.relance = regles.relance_suivi(parcours.date_sortie)
        parcours.etat = regles.etat_suivi(parcours.date_sortie, today, releve=suivi is not None)
        parcours.suivi = suivi
        if etat and parcours.etat != etat:
            continue
        result.append(parcours)
    return result


def etats_suivis(scope, today):
    """``[etat]`` of the follow-ups :func:`suivis` lists (the same rows, the same rule), read
    from the exit date and whether a follow-up is recorded only: no participant, référent or
    follow-up row fetched (one query; ``None`` when ``scope`` sees none)."""
    sorties = _sorties_echues(scope, today)
    if sorties is None:
        return None
    rows = (
        sorties.annotate(releve=Exists(SuiviSixMois.objects.filter(parcours_id=OuterRef("pk"))))
        .values_list("date_sortie", "releve")
        .order_by()
    )
    return [
        regles.etat_suivi(date_sortie, today, releve=releve)
        for date_sortie, releve in rows
        if regles.echeance_suivi(date_sortie) <= today
    ]


def panel_relances(scope, today):
    """Home panel: the follow-ups due and those to chase (one query, :func:`etats_suivis`)."""
    etats = etats_suivis(scope, today)
    if not etats:
        return None
    a_faire = etats.count("a_faire")
    relances = etats.count("relance")
    if not (a_faire or relances):
        return None
    return {"template": "entreprises/includes/panel_suivis.html", "a_faire": a_faire, "relances": relances}
