"""The nightly alerts (parcours/alertes.py): each type's boundary, idempotence, resolution,
the PLIE partition and the pinned number of queries."""

import datetime

import pytest
from django.utils import timezone

from parcours import alertes as module
from parcours.enums import ObjetPassage, StatutCommission, StatutParcours, TypeAlerte
from parcours.models import Alerte, Decision, ParametresPlie, TypeSortie
from parcours.sorties import add_months
from tests.parcours.factories import (
    CommissionFactory,
    ContratFactory,
    ParcoursFactory,
    SortieFactory,
    SuspensionFactory,
)

TODAY = datetime.date(2026, 6, 1)
DAY = datetime.timedelta(days=1)


def refresh(plie, today=TODAY):
    return module.alertes_refresh(plie_id=plie.pk, today=today)


def stored(plie):
    """{(parcours id, type): (detail, echeance)} of the PLIE's stored alerts."""
    return {
        (a.parcours_id, a.type): (a.detail, a.echeance)
        for a in Alerte.objects.filter(plie=plie).order_by("parcours_id", "type")
    }


def types_of(parcours):
    return set(Alerte.objects.filter(parcours=parcours).values_list("type", flat=True))


def suivi(plie, **kwargs):
    """A parcours in progress, met today (no alert of its own unless told)."""
    kwargs.setdefault("dernier_contact", TODAY)
    return ParcoursFactory(participant__plie=plie, en_parcours=True, **kwargs)


# --- the pure rules -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("dernier_contact", "date_entree", "jours", "on"),
    [
        (TODAY - 30 * DAY, None, 30, False),
        (TODAY - 31 * DAY, None, 30, True),
        (None, TODAY - 30 * DAY, 30, False),  # no entretien yet: counted from the entry
        (None, TODAY - 31 * DAY, 30, True),
        (TODAY - 15 * DAY, None, 14, True),
        (None, None, 30, False),
    ],
)
def test_sans_contact_boundary(dernier_contact, date_entree, jours, on):
    found = module.sans_contact(
        dernier_contact=dernier_contact, date_entree=date_entree, today=TODAY, jours=jours
    )
    assert bool(found) is on


def test_sans_contact_detail():
    detail, echeance = module.sans_contact(
        dernier_contact=TODAY - 31 * DAY, date_entree=None, today=TODAY, jours=30
    )
    assert detail == "Pas de contact depuis 31 jours (dernier entretien le 01/05/2026)."
    assert echeance == datetime.date(2026, 5, 31)


def _at(day, hour=10):
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))


@pytest.mark.parametrize(
    ("rdv", "dernier_contact", "on"),
    [
        (_at(TODAY - DAY), TODAY - 20 * DAY, True),
        (_at(TODAY - DAY), None, True),
        (_at(TODAY, 8), TODAY - 20 * DAY, False),  # today's appointment is not missed yet
        (_at(TODAY - DAY), TODAY - DAY, False),  # the entretien took place
        (None, TODAY - 40 * DAY, False),
    ],
)
def test_rdv_passe_boundary(rdv, dernier_contact, on):
    assert bool(module.rdv_passe(prochain_rdv=rdv, dernier_contact=dernier_contact, today=TODAY)) is on


@pytest.mark.parametrize(
    ("date_entree", "mois", "on"),
    [
        (add_months(TODAY, -24), 24, False),  # exactly 24 months
        (add_months(TODAY, -24) - DAY, 24, True),
        (datetime.date(2024, 2, 29), 24, True),  # + 24 months = 28/02/2026
        (add_months(TODAY, -12) - DAY, 12, True),
        (None, 24, False),
    ],
)
def test_parcours_long_boundary(date_entree, mois, on):
    assert bool(module.parcours_long(date_entree=date_entree, today=TODAY, mois=mois)) is on


@pytest.mark.parametrize(
    ("date_fin", "jours", "detail"),
    [
        (TODAY + 7 * DAY, 7, "La suspension se termine le 08/06/2026."),
        (TODAY + 8 * DAY, 7, None),
        (TODAY, 7, "La suspension se termine le 01/06/2026."),
        (TODAY - DAY, 7, "La suspension devait se terminer le 31/05/2026 : reprise du parcours à saisir."),
        (None, 7, None),  # open suspension: nothing planned
    ],
)
def test_fin_suspension_boundary(date_fin, jours, detail):
    found = module.fin_suspension(date_fin=date_fin, today=TODAY, jours=jours)
    assert (found[0] if found else None) == detail


@pytest.mark.parametrize(
    ("date_sortie", "on"),
    [(TODAY, True), (TODAY - 27 * DAY, True), (TODAY - 28 * DAY, False), (TODAY + DAY, False), (None, False)],
)
def test_donnees_sortie_fse_boundary(date_sortie, on):
    assert bool(module.donnees_sortie_fse(date_sortie=date_sortie, today=TODAY)) is on


@pytest.mark.parametrize(
    ("date_representation", "on"), [(TODAY - DAY, True), (TODAY, False), (TODAY + DAY, False), (None, False)]
)
def test_ajournement_echu_boundary(date_representation, on):
    assert bool(module.ajournement_echu(date_representation=date_representation, today=TODAY)) is on


# --- from the database ----------------------------------------------------------------------------


def test_sans_contact_day_30_vs_31(world):
    thirty = suivi(world.plie_a, dernier_contact=TODAY - 30 * DAY)
    thirty_one = suivi(world.plie_a, dernier_contact=TODAY - 31 * DAY)
    suspendu = suivi(world.plie_a, dernier_contact=TODAY - 90 * DAY, status=StatutParcours.SUSPENDU)
    refresh(world.plie_a)
    assert TypeAlerte.SANS_CONTACT not in types_of(thirty)
    assert TypeAlerte.SANS_CONTACT in types_of(thirty_one)
    assert TypeAlerte.SANS_CONTACT not in types_of(suspendu)  # a suspended parcours is not followed


def test_the_plie_settings_are_used(world):
    ParametresPlie.objects.create(plie=world.plie_a, jours_sans_contact=14, duree_cible_mois=3)
    fifteen = suivi(world.plie_a, dernier_contact=TODAY - 15 * DAY)
    refresh(world.plie_a)
    assert types_of(fifteen) == {TypeAlerte.SANS_CONTACT, TypeAlerte.PARCOURS_LONG}  # entered 02/02/2026


def test_rdv_passe(world):
    missed = suivi(world.plie_a, dernier_contact=TODAY - 10 * DAY, prochain_rdv=_at(TODAY - DAY))
    today = suivi(world.plie_a, dernier_contact=TODAY - 10 * DAY, prochain_rdv=_at(TODAY, 17))
    refresh(world.plie_a)
    assert stored(world.plie_a)[(missed.pk, TypeAlerte.RDV_PASSE)] == (
        "Rendez-vous du 31/05/2026 passé sans entretien.",
        TODAY - DAY,
    )
    assert types_of(today) == set()


def test_parcours_long(world):
    long = suivi(world.plie_a, date_entree=add_months(TODAY, -24) - DAY)
    exact = suivi(world.plie_a, date_entree=add_months(TODAY, -24))
    refresh(world.plie_a)
    assert types_of(long) == {TypeAlerte.PARCOURS_LONG}
    assert types_of(exact) == set()


def test_fin_suspension(world):
    soon = suivi(world.plie_a, status=StatutParcours.SUSPENDU)
    SuspensionFactory(parcours=soon, date_debut=TODAY - 200 * DAY, date_fin=TODAY - 150 * DAY)  # an old one
    SuspensionFactory(parcours=soon, date_debut=TODAY - 60 * DAY, date_fin=TODAY + 7 * DAY)
    later = suivi(world.plie_a, status=StatutParcours.SUSPENDU)
    SuspensionFactory(parcours=later, date_debut=TODAY - 60 * DAY, date_fin=TODAY + 8 * DAY)
    resumed = suivi(world.plie_a)  # its suspension ended: back en_parcours
    SuspensionFactory(parcours=resumed, date_debut=TODAY - 60 * DAY, date_fin=TODAY - DAY)
    refresh(world.plie_a)
    assert stored(world.plie_a)[(soon.pk, TypeAlerte.FIN_SUSPENSION)] == (
        "La suspension se termine le 08/06/2026.",
        TODAY + 7 * DAY,
    )
    assert types_of(later) == types_of(resumed) == set()


def _job_exit(plie, debut, *, code="CDI"):
    parcours = suivi(plie, status=StatutParcours.EN_SUIVI_EMPLOI)
    ContratFactory(etape__parcours=parcours, etape__date_debut=debut, date_debut=debut)
    SortieFactory(parcours=parcours, type=TypeSortie.objects.get(plie=plie, code=code), date_sortie=debut)
    return parcours


def test_sortie_validable(world):
    validable = _job_exit(world.plie_a, add_months(TODAY, -6))
    tomorrow = _job_exit(world.plie_a, add_months(TODAY, -6) + DAY)
    commission = _job_exit(world.plie_a, add_months(TODAY, -12), code="CONTRAT_AIDE")
    refresh(world.plie_a)
    alerts = stored(world.plie_a)
    assert alerts[(validable.pk, TypeAlerte.SORTIE_VALIDABLE)] == (
        "Validable depuis le 01/06/2026 (6 mois d'emploi sans interruption chez le même employeur "
        "(même agence)).",
        TODAY,
    )
    assert types_of(tomorrow) == set()
    detail, _ = alerts[(commission.pk, TypeAlerte.SORTIE_VALIDABLE)]
    assert detail.endswith(": à présenter en commission.")


def test_donnees_sortie_fse(world):
    recent = ParcoursFactory(participant__plie=world.plie_a, sorti=True, date_sortie=TODAY - 27 * DAY)
    old = ParcoursFactory(participant__plie=world.plie_a, sorti=True, date_sortie=TODAY - 28 * DAY)
    refresh(world.plie_a)
    assert stored(world.plie_a)[(recent.pk, TypeAlerte.DONNEES_SORTIE_FSE)] == (
        "Sortie du 05/05/2026 : situation FSE de sortie à saisir avant le 02/06/2026.",
        datetime.date(2026, 6, 2),
    )
    assert types_of(old) == set()


def test_ajournement_echu(world):
    due = ParcoursFactory(participant__plie=world.plie_a, date_representation=TODAY - DAY)
    not_yet = ParcoursFactory(participant__plie=world.plie_a, date_representation=TODAY)
    scheduled = ParcoursFactory(participant__plie=world.plie_a, date_representation=TODAY - 10 * DAY)
    session = CommissionFactory(plie=world.plie_a, date=TODAY + 5 * DAY, status=StatutCommission.PREVUE)
    Decision.objects.create(commission=session, parcours=scheduled, objet=ObjetPassage.CANDIDATURE)
    refresh(world.plie_a)
    assert types_of(due) == {TypeAlerte.AJOURNEMENT_ECHU}
    assert types_of(not_yet) == types_of(scheduled) == set()


# --- idempotence, resolution, partition, queries ----------------------------------------------------


def _one_of_each(plie):
    """A parcours per alert type in ``plie``."""
    suivi(plie, dernier_contact=TODAY - 40 * DAY)
    suivi(plie, dernier_contact=TODAY - 5 * DAY, prochain_rdv=_at(TODAY - 2 * DAY))
    suivi(plie, date_entree=TODAY - 800 * DAY)
    suspendu = suivi(plie, status=StatutParcours.SUSPENDU)
    SuspensionFactory(parcours=suspendu, date_debut=TODAY - 30 * DAY, date_fin=TODAY + 2 * DAY)
    _job_exit(plie, TODAY - 300 * DAY)
    ParcoursFactory(participant__plie=plie, sorti=True, date_sortie=TODAY - 3 * DAY)
    ParcoursFactory(participant__plie=plie, date_representation=TODAY - 3 * DAY)


def test_running_twice_gives_the_same_rows(world):
    _one_of_each(world.plie_a)
    assert refresh(world.plie_a) == 7
    first = list(Alerte.objects.order_by("pk").values())
    assert {row["type"] for row in first} == set(TypeAlerte.values)
    assert refresh(world.plie_a) == 7
    assert list(Alerte.objects.order_by("pk").values()) == first
    refresh(world.plie_a, today=TODAY + DAY)
    assert set(Alerte.objects.values_list("computed_on", flat=True)) == {TODAY + DAY}


def test_an_alert_disappears_once_resolved(world):
    late = suivi(world.plie_a, dernier_contact=TODAY - 40 * DAY)
    other = suivi(world.plie_a, dernier_contact=TODAY - 50 * DAY)
    refresh(world.plie_a)
    assert types_of(late) == types_of(other) == {TypeAlerte.SANS_CONTACT}
    late.dernier_contact = TODAY  # an entretien was logged
    late.save()
    refresh(world.plie_a)
    assert types_of(late) == set()
    assert types_of(other) == {TypeAlerte.SANS_CONTACT}


def test_plie_b_is_never_computed_into_plie_a(world):
    in_a = suivi(world.plie_a, dernier_contact=TODAY - 40 * DAY)
    in_b = suivi(world.plie_b, dernier_contact=TODAY - 40 * DAY)
    _one_of_each(world.plie_b)
    refresh(world.plie_a)
    assert set(Alerte.objects.values_list("parcours_id", flat=True)) == {in_a.pk}
    refresh(world.plie_b)
    b_alerts = stored(world.plie_b)
    assert (in_b.pk, TypeAlerte.SANS_CONTACT) in b_alerts
    assert all(parcours_id != in_a.pk for parcours_id, _ in b_alerts)
    refresh(world.plie_a)  # A's run leaves B's alerts alone
    assert stored(world.plie_b) == b_alerts
    assert set(Alerte.objects.filter(plie=world.plie_a).values_list("parcours_id", flat=True)) == {in_a.pk}


def test_the_number_of_queries_does_not_grow_with_the_plie(world, django_assert_num_queries):
    _one_of_each(world.plie_a)
    resolved = suivi(world.plie_a, dernier_contact=TODAY - 40 * DAY)
    refresh(world.plie_a)
    resolved.dernier_contact = TODAY
    resolved.save()

    def pinned():
        # SAVEPOINT; the PLIE's settings; the active parcours with their exit and exit type; the
        # étapes and contracts of those awaiting validation; the suspensions; the enrolments with
        # FSE exit data due and the recent exits without enrolment (operations.alertes); the
        # adjourned candidatures; the stored alerts; DELETE of the resolved one; the upsert
        # (INSERT … ON CONFLICT DO UPDATE); RELEASE SAVEPOINT
        with django_assert_num_queries(12):
            return refresh(world.plie_a)

    assert pinned() == 7
    _one_of_each(world.plie_a)
    _one_of_each(world.plie_a)
    resolved.dernier_contact = TODAY - 40 * DAY
    resolved.save()
    refresh(world.plie_a)
    resolved.dernier_contact = TODAY
    resolved.save()
    assert pinned() == 21
