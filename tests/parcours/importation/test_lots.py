"""The writes by lots (``COPY`` on PostgreSQL, history rows copied on the server, the access
journal by ``COPY``) and the validation's remembered parsers: a file spread over several lots
is written whole with its history and journal, or not at all; every faulty row is still
reported with its line; duplicates inside the file and against the database are still found."""

import datetime
import threading

import pytest

from parcours.importation import copie, services, validation
from parcours.importation.regles import ValeurInvalide, parse_date, parse_oui_non, parse_sexe
from parcours.models import AffectationReferent, Parcours, Sortie
from participants.models import Participant, SituationEntree
from plie.core.enums import JournalAction
from plie.core.models import AccessLog
from tests.parcours.importation.helpers import csv_bytes, ligne, messages, run


@pytest.fixture
def petits_lots(monkeypatch):
    """Lots of 2 rows: a small file crosses several lots."""
    monkeypatch.setattr(services, "LOT", 2)


def _personnes(count):
    """``count`` people, every other one with an exited parcours then a current one."""
    rows = []
    for i in range(count):
        identite = {"identifiant": f"P{i:03d}", "nom": f"Nom{i}", "prenom": "Léa"}
        if i % 2:
            rows.append(
                ligne(
                    **identite,
                    date_entree="01/02/2021",
                    date_sortie="30/06/2022",
                    type_sortie="CDI",
                    referent_email="referent.a@exemple.fr",
                )
            )
        rows.append(ligne(**identite, date_entree="01/02/2024", referent_email="referent.a@exemple.fr"))
    return rows


def test_a_file_over_several_lots_is_written_whole_with_its_history_and_journal(world, petits_lots):
    rows = _personnes(7)  # 7 people, 10 rows: 4 lots of parcours, 4 of participants

    resultat, compteurs = run(csv_bytes(rows), world.plie_a, user=world.referent_a)

    assert resultat.valide
    assert (compteurs.participants_crees, compteurs.parcours_crees, compteurs.sorties) == (7, 10, 3)
    assert Participant.objects.filter(plie=world.plie_a).count() == 7
    assert Parcours.objects.filter(plie=world.plie_a).count() == 10
    assert AffectationReferent.objects.count() == 10
    assert Sortie.objects.count() == 3 and SituationEntree.objects.count() == 10
    for model in (Participant, Parcours, Sortie, SituationEntree):
        history = model.history.model.objects.all()
        assert sorted(h.id for h in history) == sorted(model.objects.values_list("id", flat=True))
        assert {(h.history_type, h.history_change_reason, h.history_user_id) for h in history} == {
            ("+", services.CHANGE_REASON, world.referent_a.pk)
        }
    for parcours in Parcours.objects.all():  # the history row is the row as written
        (history,) = parcours.history.all()
        assert (history.status, history.date_entree, history.date_sortie, history.referent_id) == (
            parcours.status,
            parcours.date_entree,
            parcours.date_sortie,
            parcours.referent_id,
        )
        assert (history.participant_id, history.version, history.created_at) == (
            parcours.participant_id,
            parcours.version,
            parcours.created_at,
        )
    journal = AccessLog.objects.filter(objet="import de parcours")
    assert sorted(journal.values_list("participant_id", flat=True)) == sorted(
        Participant.objects.values_list("id", flat=True)
    )
    assert {(e.action, e.plie_id, e.user_id, e.acteur) for e in journal} == {
        (JournalAction.MODIFICATION, world.plie_a.pk, world.referent_a.pk, world.referent_a.email)
    }
    assert len({e.at for e in journal}) == 1


def test_an_error_on_row_n_is_reported_with_its_line_and_nothing_is_saved(world, petits_lots):
    rows = _personnes(7)
    rows[7]["date_naissance"] = "31/02/1990"  # line 9, in the fourth lot

    resultat, compteurs = run(csv_bytes(rows), world.plie_a)

    assert compteurs is None
    assert messages(resultat) == [(9, "date_naissance", "« 31/02/1990 » n'est pas une date qui existe.")]
    assert not Participant.objects.exists() and not Parcours.objects.exists()
    assert not AccessLog.objects.filter(objet="import de parcours").exists()


def test_a_failure_while_writing_a_later_lot_saves_nothing(world, petits_lots, monkeypatch):
    """All or nothing: the writes of the lots already copied are rolled back with the rest."""
    create, calls = services._create, []

    def failing(model, objs, user, ecrivain=None):
        calls.append(model)
        if model is Parcours and calls.count(Parcours) == 3:
            raise RuntimeError("panne au troisième lot")
        return create(model, objs, user, ecrivain)

    monkeypatch.setattr(services, "_create", failing)
    with pytest.raises(RuntimeError, match="troisième lot"):
        run(csv_bytes(_personnes(7)), world.plie_a)

    assert calls.count(Parcours) == 3
    assert not Participant.objects.exists() and not Parcours.objects.exists()
    assert not Participant.history.exists() and not Parcours.history.exists()
    assert not AccessLog.objects.filter(objet="import de parcours").exists()


def test_the_same_bad_value_on_several_rows_is_reported_on_each(world):
    rows = [
        ligne(identifiant="A1", sexe="X", date_entree="31/02/2024"),
        ligne(identifiant="A2"),
        ligne(identifiant="A3", sexe="X", date_entree="31/02/2024", brsa="peut-être"),
        ligne(identifiant="A4", brsa="peut-être"),
    ]
    resultat, _ = run(csv_bytes(rows), world.plie_a)
    invalide = "« 31/02/2024 » n'est pas une date qui existe."
    reponse = "« peut-être » : répondez oui, non ou laissez vide."
    assert messages(resultat) == [
        (2, "date_entree", invalide),
        (2, "sexe", "« X » : le sexe s'écrit F ou M."),
        (4, "brsa", reponse),
        (4, "date_entree", invalide),
        (4, "sexe", "« X » : le sexe s'écrit F ou M."),
        (5, "brsa", reponse),
    ]
    assert not Participant.objects.exists()


def test_duplicates_inside_the_file_and_against_the_database_are_found(world, petits_lots):
    run(csv_bytes([ligne(identifiant="D1", date_entree="01/02/2022")]), world.plie_a)
    rows = _personnes(3) + [
        ligne(identifiant="P001", nom="Nom1", date_entree="01/02/2024"),  # line 6: same as line 4
        ligne(identifiant="D1", date_entree="01/01/2024"),  # line 7: overlaps the one imported
    ]
    resultat, compteurs = run(csv_bytes(rows), world.plie_a)
    assert compteurs is None
    assert messages(resultat) == [
        (
            6,
            "date_entree",
            "Ligne en double : même identifiant et même date d'entrée qu'à la ligne 4.",
        ),
        (
            7,
            "date_entree",
            "Parcours qui se chevauchent pour « D1 » : un parcours déjà enregistré (01/02/2022 – en cours).",
        ),
    ]
    assert Parcours.objects.count() == 1


@pytest.mark.parametrize(
    "parser, values",
    [
        (parse_date, ["12/03/1990", "1990-03-12", "31/02/2024", "", " 1/3/2026 ", "demain"]),
        (parse_sexe, ["F", "m", "X", ""]),
        (parse_oui_non, ["oui", "NON", "", "peut-être"]),
    ],
)
def test_a_remembered_parser_answers_as_the_parser(parser, values):
    memo = validation._Memo(parser)
    for _ in range(2):  # computed, then remembered
        for value in values:
            try:
                expected = ("ok", parser(value))
            except ValeurInvalide as exc:
                expected = ("erreur", str(exc))
            try:
                got = ("ok", memo(value))
            except ValeurInvalide as exc:
                got = ("erreur", str(exc))
            assert got == expected


def test_a_remembered_date_parser_takes_a_spreadsheet_date_cell_and_any_cell():
    memo = validation._Memo(parse_date)
    assert memo(datetime.date(2024, 1, 2)) == datetime.date(2024, 1, 2)
    assert memo(datetime.date(2024, 1, 2)) == datetime.date(2024, 1, 2)
    with pytest.raises(ValeurInvalide, match="n'est pas une date"):
        memo(["un", "tableau"])  # not remembered (unhashable), still parsed


def test_a_failure_of_the_server_while_copying_a_later_lot_saves_nothing(world, petits_lots, monkeypatch):
    """On PostgreSQL the lots are written by a second thread: its failure (here a history
    table refusing a column) is raised by the import, and what it wrote before is rolled back."""
    from django.db import connection

    if not copie.available():
        pytest.skip("COPY et son écrivain n'existent que sur PostgreSQL")
    history_columns, calls = copie._history_columns, []

    def broken(model):
        calls.append(model)
        columns = history_columns(model)
        return [*columns, "colonne_absente"] if calls.count(Parcours) == 3 else columns

    monkeypatch.setattr(copie, "_history_columns", broken)
    with pytest.raises(Exception, match="colonne_absente"):
        run(csv_bytes(_personnes(7)), world.plie_a)

    assert calls.count(Parcours) >= 3  # raised at the next lot submitted, or at the end
    assert not any(thread.name == "import-copie" for thread in threading.enumerate())
    assert not Participant.objects.exists() and not Parcours.objects.exists()
    assert not Parcours.history.exists() and not SituationEntree.objects.exists()
    assert not AccessLog.objects.filter(objet="import de parcours").exists()
    with connection.cursor() as cursor:  # the connection is usable
        cursor.execute("SELECT 1")
        assert cursor.fetchone() == (1,)
    monkeypatch.undo()
    resultat, compteurs = run(csv_bytes(_personnes(7)), world.plie_a)  # and the import, again
    assert resultat.valide and compteurs.parcours_crees == 10


def test_the_writer_thread_ends_with_the_import(world, petits_lots):
    run(csv_bytes(_personnes(3)), world.plie_a)
    assert not any(thread.name == "import-copie" for thread in threading.enumerate())
