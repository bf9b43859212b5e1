"""The pièces checklist: the rule (pure, table-driven) and its queryset (constant queries)."""

import datetime

import pytest

from operations import pieces
from operations.enums import PieceJustificative as P
from operations.pieces import Preuves, etat_pieces, pieces_manquantes
from plie.core.scoping import scope_for
from tests.factories import DocumentFactory, ParticipantFactory
from tests.operations.factories import InscriptionFactory, OperationFactory
from tests.parcours.factories import EntretienFactory, ParcoursFactory

DEFAUT = list(pieces.PIECES_PAR_DEFAUT)
TOUT = frozenset({P.QUESTIONNAIRE_SIGNE, P.CONTRAT_ENGAGEMENT, P.PIECE_IDENTITE, P.JUSTIFICATIF_STATUT})


@pytest.mark.parametrize(
    ("preuves", "manquantes"),
    [
        (Preuves(documents=TOUT, entretiens=True), []),
        (Preuves(documents=TOUT, entretiens=True, sortie=True, sortie_renseignee=True), []),
        (Preuves(documents=TOUT, entretiens=True, sortie=True), [P.DONNEES_SORTIE]),
        (Preuves(documents=TOUT, entretiens=False), [P.ENTRETIENS]),
        (
            Preuves(documents=frozenset({P.PIECE_IDENTITE}), entretiens=True),
            [P.QUESTIONNAIRE_SIGNE, P.CONTRAT_ENGAGEMENT],
        ),
        (
            Preuves(sortie=True),
            [P.QUESTIONNAIRE_SIGNE, P.CONTRAT_ENGAGEMENT, P.PIECE_IDENTITE, P.ENTRETIENS, P.DONNEES_SORTIE],
        ),
    ],
)
def test_pieces_manquantes_default_list(preuves, manquantes):
    assert pieces_manquantes(DEFAUT, preuves) == manquantes


def test_exit_data_is_not_due_while_enrolled():
    etat = etat_pieces([P.DONNEES_SORTIE, P.ENTRETIENS], Preuves(entretiens=True))
    assert etat == {P.DONNEES_SORTIE: None, P.ENTRETIENS: True}


def test_only_required_pieces_are_checked():
    assert pieces_manquantes([P.JUSTIFICATIF_STATUT], Preuves()) == [P.JUSTIFICATIF_STATUT]
    assert pieces_manquantes([P.PIECE_IDENTITE], Preuves(sortie=True)) == [P.PIECE_IDENTITE]


def test_pieces_requises_default_and_unknown_codes(db):
    assert pieces.pieces_requises(OperationFactory.build(pieces_requises=[])) == DEFAUT
    operation = OperationFactory.build(pieces_requises=["statut", "inconnu", "identite"])
    assert pieces.pieces_requises(operation) == [P.JUSTIFICATIF_STATUT, P.PIECE_IDENTITE]
    assert pieces.pieces_requises(OperationFactory.build(pieces_requises=["inconnu"])) == DEFAUT


def _dossier(operation, nom, *, documents=(), entretiens=(), **inscription):
    participant = ParticipantFactory(plie=operation.plie, nom=nom, prenom="Alex")
    for type_ in documents:
        DocumentFactory(participant=participant, type=type_)
    parcours = ParcoursFactory(participant=participant, en_parcours=True)
    for day in entretiens:
        EntretienFactory(parcours=parcours, date=day)
    return InscriptionFactory(operation=operation, participant=participant, **inscription)


@pytest.fixture
def board(world):
    operation = OperationFactory(plie=world.plie_a, code="ACC-A")
    complet = _dossier(
        operation,
        "Complet",
        documents=("questionnaire", "contrat_engagement", "identite"),
        entretiens=[datetime.date(2026, 3, 1)],
    )
    # The only entretien predates the enrolment; the exit data is missing.
    sorti = _dossier(
        operation,
        "Sorti",
        documents=("questionnaire", "contrat_engagement", "identite"),
        entretiens=[datetime.date(2026, 1, 15)],
        date_sortie=datetime.date(2026, 9, 30),
    )
    # Only an entretien after leaving, and the exit data recorded.
    apres = _dossier(
        operation,
        "Apres",
        documents=("identite", "rsa"),
        entretiens=[datetime.date(2026, 10, 5)],
        sortie=True,
    )
    autre_plie = InscriptionFactory(operation=OperationFactory(plie=world.plie_b))
    return operation, complet, sorti, apres, autre_plie


def _rows(operation, user, **kwargs):
    requises = pieces.pieces_requises(operation)
    return {
        row.participant.nom: pieces.etat_pieces(requises, pieces.preuves_of(row, requises))
        for row in pieces.checklist(operation, scope_for(user), **kwargs)
    }


def test_checklist_from_records(board, world):
    operation, *_ = board
    rows = _rows(operation, world.gestionnaire_a)
    assert rows == {
        "Apres": {
            P.QUESTIONNAIRE_SIGNE: False,
            P.CONTRAT_ENGAGEMENT: False,
            P.PIECE_IDENTITE: True,
            P.ENTRETIENS: False,
            P.DONNEES_SORTIE: True,
        },
        "Complet": {
            P.QUESTIONNAIRE_SIGNE: True,
            P.CONTRAT_ENGAGEMENT: True,
            P.PIECE_IDENTITE: True,
            P.ENTRETIENS: True,
            P.DONNEES_SORTIE: None,
        },
        "Sorti": {
            P.QUESTIONNAIRE_SIGNE: True,
            P.CONTRAT_ENGAGEMENT: True,
            P.PIECE_IDENTITE: True,
            P.ENTRETIENS: False,
            P.DONNEES_SORTIE: False,
        },
    }


def test_status_proof_accepts_rsa_statut_and_rqth(board, world):
    operation, *_ = board
    operation.pieces_requises = ["statut"]
    rows = _rows(operation, world.gestionnaire_a)
    assert rows == {
        "Apres": {P.JUSTIFICATIF_STATUT: True},
        "Complet": {P.JUSTIFICATIF_STATUT: False},
        "Sorti": {P.JUSTIFICATIF_STATUT: False},
    }


def test_incomplete_filter_and_totals(board, world):
    operation, *_ = board
    assert list(_rows(operation, world.gestionnaire_a, incomplets=True)) == ["Apres", "Sorti"]
    totaux = pieces.totaux(
        pieces.checklist(operation, scope_for(world.gestionnaire_a)), pieces.pieces_requises(operation)
    )
    assert totaux == {
        "manquants": {
            P.QUESTIONNAIRE_SIGNE: 1,
            P.CONTRAT_ENGAGEMENT: 1,
            P.PIECE_IDENTITE: 0,
            P.ENTRETIENS: 2,
            P.DONNEES_SORTIE: 1,
        },
        "incomplets": 2,
        "total": 3,
    }


def test_checklist_is_scoped(board, world):
    operation, *_ = board
    assert _rows(operation, world.referent_b) == {}
    assert _rows(operation, world.financeur) == {}


def test_checklist_constant_queries(board, world, django_assert_num_queries):
    operation, *_ = board
    user = world.gestionnaire_a
    pieces.checklist(operation, scope_for(user)).count()  # computes the user's scope once
    for index in range(5):
        _dossier(operation, f"Extra{index}", documents=("identite",), entretiens=[datetime.date(2026, 4, 1)])
    # 1: the enrolments with their participant and one EXISTS per piece
    with django_assert_num_queries(1):
        assert len(_rows(operation, user)) == 8
    # 1: the aggregate of the totals
    with django_assert_num_queries(1):
        assert (
            pieces.totaux(pieces.checklist(operation, scope_for(user)), pieces.pieces_requises(operation))[
                "total"
            ]
            == 8
        )


def test_participants_inscrits_le_and_inscription_le(board):
    operation, complet, sorti, apres, autre = board
    day = datetime.date(2026, 10, 1)
    assert set(pieces.participants_inscrits_le(operation, day)) == {complet.participant}
    assert set(pieces.participants_inscrits_le(operation, datetime.date(2026, 9, 30))) == {
        complet.participant,
        sorti.participant,
        apres.participant,
    }
    assert not pieces.participants_inscrits_le(operation, datetime.date(2026, 2, 1)).exists()
    assert pieces.inscription_le(sorti.participant, datetime.date(2026, 9, 30)) == sorti
    assert pieces.inscription_le(sorti.participant, day) is None
    assert pieces.inscription_le(complet.participant, day, autre.operation) is None
