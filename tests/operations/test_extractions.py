"""The extraction of the entretiens per référent: rows, totals, period, scoping, CSV and XLSX."""

import csv
import datetime
import io

import pytest
from openpyxl import load_workbook

from operations import extractions
from parcours.enums import ModeEntretien, SujetEntretien
from plie.core.scoping import scope_for
from tests.factories import ParticipantFactory, UserFactory
from tests.operations.factories import InscriptionFactory, OperationFactory
from tests.parcours.factories import EntretienFactory, ParcoursFactory

D = datetime.date


@pytest.fixture
def data(world):
    operation = OperationFactory(plie=world.plie_a, code="ACC-A")
    bernard = UserFactory(first_name="Paul", last_name="Bernard", email="paul.bernard@exemple.fr")
    alves = UserFactory(first_name="Léa", last_name="Alves", email="lea.alves@exemple.fr")

    def participant(nom, referent, **inscription):
        person = ParticipantFactory(plie=world.plie_a, nom=nom, prenom="Sam")
        parcours = ParcoursFactory(participant=person, en_parcours=True, referent=referent)
        InscriptionFactory(operation=operation, participant=person, **inscription)
        return parcours

    durand = participant("Durand", bernard, date_sortie=D(2026, 6, 30))
    martin = participant("Martin", alves)
    entretien = EntretienFactory
    entretien(
        parcours=durand, date=D(2026, 3, 10), duree_minutes=45, sujets=["projet", "freins"], notes="SECRET"
    )
    entretien(parcours=durand, date=D(2026, 2, 1), duree_minutes=30)  # before the enrolment
    entretien(parcours=durand, date=D(2026, 7, 1), duree_minutes=30)  # after leaving
    entretien(parcours=martin, date=D(2026, 4, 2), mode=ModeEntretien.TELEPHONE, duree_minutes=None)
    entretien(parcours=martin, date=D(2026, 3, 5), duree_minutes=60, sujets=[SujetEntretien.BILAN])
    # held by Bernard for Martin (a replacement): counted under who held it
    entretien(parcours=martin, date=D(2026, 5, 6), duree_minutes=20, referent=bernard)
    entretien(parcours=martin, date=D(2026, 5, 7), duree_minutes=15, referent=None)
    # another PLIE's participant, enrolled elsewhere
    other = InscriptionFactory(operation=OperationFactory(plie=world.plie_b))
    entretien(parcours=ParcoursFactory(participant=other.participant, en_parcours=True), date=D(2026, 3, 10))
    return operation


def test_lines_grouped_by_referent_with_totals(data, world):
    items = list(extractions.lignes(data, scope_for(world.gestionnaire_a)))
    lines = [item if kind == "ligne" else item.total() for kind, item in items]
    assert lines == [
        ("ALVES Léa", "MARTIN Sam", D(2026, 3, 5), "Individuel", 60, "Bilan d'étape"),
        ("ALVES Léa", "MARTIN Sam", D(2026, 4, 2), "Téléphone", None, ""),
        ("Total ALVES Léa", "1 participant", "2 entretiens", "", 60, ""),
        (
            "BERNARD Paul",
            "DURAND Sam",
            D(2026, 3, 10),
            "Individuel",
            45,
            "Projet professionnel, Levée de freins",
        ),
        ("BERNARD Paul", "MARTIN Sam", D(2026, 5, 6), "Individuel", 20, ""),
        ("Total BERNARD Paul", "2 participants", "2 entretiens", "", 65, ""),
        ("Référent non renseigné", "MARTIN Sam", D(2026, 5, 7), "Individuel", 15, ""),
        ("Total Référent non renseigné", "1 participant", "1 entretien", "", 15, ""),
    ]


def test_period_filter(data, world):
    lines = [
        item
        for kind, item in extractions.lignes(
            data, scope_for(world.gestionnaire_a), D(2026, 3, 6), D(2026, 5, 6)
        )
    ]
    assert [line[2] for line in lines if isinstance(line, tuple)] == [
        D(2026, 4, 2),
        D(2026, 3, 10),
        D(2026, 5, 6),
    ]


def test_scoping(data, world):
    assert list(extractions.lignes(data, scope_for(world.referent_b))) == []
    assert list(extractions.lignes(data, scope_for(world.financeur))) == []


def test_one_query(data, world, django_assert_num_queries):
    user = world.gestionnaire_a
    list(extractions.lignes(data, scope_for(user)))  # the user's scope, computed once
    with django_assert_num_queries(1):  # the entretiens with their référent and participant
        assert len(list(extractions.lignes(data, scope_for(user)))) == 8


def test_csv(data, world):
    raw = b"".join(extractions.csv_stream(data, scope_for(world.gestionnaire_a)))
    assert raw.startswith(b"\xef\xbb\xbf")
    assert b"SECRET" not in raw
    text = raw.decode("utf-8-sig")
    assert text.splitlines()[:4] == [
        "Référent;Participant;Date;Mode;Durée (minutes);Sujets",
        "ALVES Léa;MARTIN Sam;05/03/2026;Individuel;60;Bilan d'étape",
        "ALVES Léa;MARTIN Sam;02/04/2026;Téléphone;;",
        "Total ALVES Léa;1 participant;2 entretiens;;60;",
    ]
    rows = list(csv.reader(io.StringIO(text), delimiter=";"))
    assert len(rows) == 9
    assert rows[4] == [
        "BERNARD Paul",
        "DURAND Sam",
        "10/03/2026",
        "Individuel",
        "45",
        "Projet professionnel, Levée de freins",
    ]
    assert "\r\n" in text


def test_xlsx(data, world):
    workbook = load_workbook(io.BytesIO(extractions.export_xlsx(data, scope_for(world.gestionnaire_a))))
    sheet = workbook["Entretiens"]
    rows = [tuple(cell.value for cell in row) for row in sheet.iter_rows()]
    assert rows[0] == extractions.ENTETES
    assert rows[1] == (
        "ALVES Léa",
        "MARTIN Sam",
        datetime.datetime(2026, 3, 5),
        "Individuel",
        60,
        "Bilan d'étape",
    )
    assert rows[3] == ("Total ALVES Léa", "1 participant", "2 entretiens", None, 60, None)
    assert sheet["A4"].font.bold
    assert sheet.freeze_panes == "A2"
    assert len(rows) == 9


def test_filename(data):
    assert (
        extractions.filename(data, D(2026, 1, 1), D(2026, 6, 30), "csv")
        == "entretiens-ACC-A-20260101-20260630.csv"
    )
    assert extractions.filename(data, None, None, "pdf") == "entretiens-ACC-A.pdf"
