"""Hand-built parcours for the reporting tests: each test states its data and computes the
expected figures by hand. Time is frozen (the figures never depend on today, but factories and
``auto_now`` fields do)."""

import datetime

import pytest
import time_machine

from parcours.enums import CategorieSortie, ClasseNationale, StatutParcours
from parcours.referentiels import classe_nationale_par_defaut
from tests.factories import ParticipantFactory, SituationEntreeFactory
from tests.parcours.factories import ParcoursFactory, SortieFactory, TypeSortieFactory

D = datetime.date

# One exit type per category, with codes of our own (a new PLIE also gets the default
# referential of parcours.referentiels, which these tests must not depend on).
TYPES_SORTIE = {
    CategorieSortie.EMPLOI_DURABLE: ("TEST_CDI", "CDI"),
    CategorieSortie.QUALIFIANTE: ("TEST_FORMATION", "Formation qualifiante"),
    CategorieSortie.POSITIVE_AUTRE: ("TEST_CONTRAT_AIDE", "Contrat aidé"),
    CategorieSortie.NEUTRALISEE: ("TEST_DEMENAGEMENT", "Déménagement"),
    CategorieSortie.CREATION_ENTREPRISE: ("TEST_CREATION", "Création d'entreprise"),
    CategorieSortie.ABANDON: ("TEST_ABANDON", "Abandon"),
    CategorieSortie.AUTRE: ("TEST_REORIENTATION", "Réorientation"),
}


@pytest.fixture(autouse=True)
def _frozen_time():
    with time_machine.travel(datetime.datetime(2017, 2, 15, 10, 0, tzinfo=datetime.UTC), tick=False):
        yield


def make_parcours(plie, entree, sortie=None, categorie=None, *, validee=True, situation=None, **fields):
    """An admitted parcours of ``plie`` entered on ``entree``; with ``sortie`` it is exited that
    day with an exit of ``categorie`` (validated unless ``validee=False``). ``situation``: the
    answers of the situation at entry (dated ``entree``). Other keyword arguments go to the
    participant (``sexe``, ``date_naissance``, ``qpv``…) or the parcours (``referent``,
    ``prescripteur``, ``status``)."""
    parcours_fields = {k: fields.pop(k) for k in ("referent", "prescripteur", "status") if k in fields}
    participant = ParticipantFactory(plie=plie, **fields)
    if situation is not None:
        SituationEntreeFactory(participant=participant, date_entree=entree, **situation)
    status = StatutParcours.SORTI if sortie else StatutParcours.EN_PARCOURS
    parcours = ParcoursFactory(
        participant=participant,
        date_entree=entree,
        date_sortie=sortie,
        **{"status": status, **parcours_fields},
    )
    if sortie is not None and categorie is not None:
        code, libelle = TYPES_SORTIE[categorie]
        SortieFactory(
            parcours=parcours,
            type=TypeSortieFactory(
                plie=plie,
                code=code,
                libelle=libelle,
                categorie=categorie,
                classe_nationale=classe_nationale_par_defaut(code, categorie)
                if categorie != CategorieSortie.NEUTRALISEE
                else ClasseNationale.DEMENAGEMENT_DECES_RETRAITE,  # a move: neutralised nationally
            ),
            validee=validee,
            date_validation=sortie if validee else None,
        )
    return parcours
