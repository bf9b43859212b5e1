"""The nightly « données FSE de sortie » alert reads the enrolments' exit data (operations.alertes,
registered by operations.apps as the replacement of parcours' own source)."""

import datetime

import pytest

from operations.alertes import alertes_donnees_sortie_fse
from parcours import alertes
from parcours.alertes import Seuils, compute_alertes
from parcours.enums import StatutParcours, TypeAlerte
from plie.core import registry
from tests.factories import ParticipantFactory
from tests.operations.factories import InscriptionFactory, OperationFactory
from tests.parcours.factories import ParcoursFactory

pytestmark = pytest.mark.django_db
D = datetime.date
TODAY = D(2026, 11, 10)


@pytest.fixture
def operation(world):
    return OperationFactory(plie=world.plie_a, code="ACC-2026")


def parcours(world, *, sortie=None):
    participant = ParticipantFactory(plie=world.plie_a)
    status = StatutParcours.SORTI if sortie else StatutParcours.EN_PARCOURS
    return ParcoursFactory(participant=participant, en_parcours=True, status=status, date_sortie=sortie)


def inscrire(operation, p, **fields):
    return InscriptionFactory(
        operation=operation, participant=p.participant, parcours=p, complete=True, **fields
    )


def found(world):
    return {
        a.parcours_id: (a.detail, a.echeance)
        for a in alertes_donnees_sortie_fse(world.plie_a.pk, TODAY, Seuils.of_plie(world.plie_a.pk))
    }


def test_the_parcours_source_is_replaced_by_the_enrolments_one():
    sources = registry.alert_sources()
    assert alertes_donnees_sortie_fse in sources
    assert alertes.alertes_donnees_sortie_fse not in sources
    assert [s.__name__ for s in sources].count("alertes_donnees_sortie_fse") == 1
    # in the parcours source's place, between the suspensions and the adjournments
    assert sources.index(alertes_donnees_sortie_fse) == sources.index(alertes.alertes_suspensions) + 1


def test_exit_data_due_on_an_enrolment_until_day_28_included(world, operation):
    en_cours = parcours(world)  # carried into next year: the enrolment left on its own
    due = inscrire(operation, en_cours, date_sortie=TODAY - datetime.timedelta(days=28))
    late = parcours(world)
    inscrire(operation, late, date_sortie=TODAY - datetime.timedelta(days=29))
    recorded = parcours(world, sortie=D(2026, 11, 1))
    inscrire(
        operation, recorded, sortie=True, date_sortie=D(2026, 11, 1), sortie_renseignee_le=D(2026, 11, 3)
    )
    assert found(world) == {
        en_cours.pk: (
            "Sortie de l'opération ACC-2026 le 13/10/2026 : données FSE de sortie à saisir "
            "avant le 10/11/2026.",
            D(2026, 11, 10),
        )
    }
    assert due.parcours_id == en_cours.pk


def test_an_exited_parcours_whose_enrolment_is_still_open(world, operation):
    sorti = parcours(world, sortie=D(2026, 11, 2))
    inscrire(operation, sorti)
    assert found(world) == {
        sorti.pk: (
            "Parcours sorti le 02/11/2026 : sortie de l'opération ACC-2026 et données FSE à saisir "
            "avant le 30/11/2026.",
            D(2026, 11, 30),
        )
    }


def test_an_exited_parcours_without_enrolment_keeps_the_parcours_reminder(world, operation):
    sorti = parcours(world, sortie=D(2026, 11, 2))
    other_plie = ParcoursFactory(participant=ParticipantFactory(plie=world.plie_b), en_parcours=True)
    inscrire(OperationFactory(plie=world.plie_b), other_plie, date_sortie=D(2026, 11, 1))
    assert found(world) == {
        sorti.pk: (
            "Sortie du 02/11/2026 : situation FSE de sortie à saisir avant le 30/11/2026.",
            D(2026, 11, 30),
        )
    }


def test_the_nightly_computation_uses_it(world, operation):
    sorti = parcours(world, sortie=D(2026, 11, 2))
    inscrire(operation, sorti, date_sortie=D(2026, 11, 2), sortie_renseignee_le=D(2026, 11, 5))
    kinds = {(a.parcours_id, a.type) for a in compute_alertes(world.plie_a.pk, TODAY)}
    assert (sorti.pk, TypeAlerte.DONNEES_SORTIE_FSE) not in kinds  # recorded: nothing left to do
