"""The Ma Démarche FSE participant file, byte for byte against a hand-written expected file."""

import datetime
import io
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from operations import mdfse
from plie.core.scoping import scope_for
from tests.factories import ParticipantFactory
from tests.operations.factories import InscriptionFactory, OperationFactory

ATTENDU = Path(__file__).parent / "data" / "mdfse_attendu.csv"


def _inscription(operation, pk, participant_pk, participant, **kwargs):
    participant = ParticipantFactory(pk=participant_pk, plie=operation.plie, **participant)
    return InscriptionFactory(pk=pk, operation=operation, participant=participant, **kwargs)


@pytest.fixture
def operation_a(world):
    """PLIE A's 2026 operation with four hand-built enrolments (a complete one, one born abroad, a
    homeless person reachable through a contact, one who left with exit data) and two that must not
    appear in a file from 01/02/2026: one left in January, one in another operation."""
    operation = OperationFactory(plie=world.plie_a, code="ACC-2026-A", numero_mdfse="202600123")
    _inscription(
        operation,
        990101,
        990001,
        {
            "nom": "Bernard",
            "prenom": "Hélène",
            "sexe": "F",
            "date_naissance": datetime.date(1985, 3, 14),
            "code_commune_naissance": "69388",
            "adresse": "12 rue des Lilas",
            "code_postal": "69008",
            "commune": "Lyon",
            "telephone": "06 12 34 56 78",
            "telephone_fixe": "04 78 12 34 56",
            "email": "helene.bernard@exemple.fr",
        },
        complete=True,
    )
    _inscription(
        operation,
        990102,
        990002,
        {
            "nom": "Diallo",
            "prenom": "Moussa",
            "sexe": "M",
            "date_naissance": datetime.date(1990, 7, 2),
            "commune_naissance": "Dakar (Sénégal)",
            "code_commune_naissance": "99999",
            "adresse": "5 place Bellecour",
            "code_postal": "69002",
            "commune": "Lyon",
            "telephone": "+33 7 65 43 21 09",
        },
        date_entree=datetime.date(2026, 3, 2),
        date_questionnaire=datetime.date(2026, 3, 5),
        statut_emploi="1c",
        niveau_formation="2c",
        handicap_reconnu=False,
        minima_sociaux=False,
        beneficiaire_rsa=False,
        sans_domicile="non",
        parent_ne_etranger="oui",
        menage_sans_emploi=False,
        menage_enfants=True,
        menage_monoparental=False,
    )
    _inscription(
        operation,
        990103,
        990003,
        {
            "nom": "Legrand",
            "prenom": "Paul",
            "sexe": "M",
            "date_naissance": datetime.date(1978, 11, 30),
            "code_commune_naissance": "69123",
            "commune": "Villeurbanne",
            "contact_tiers": "Accueil de jour Le Relais, 04 78 00 00 00",
        },
        complete=True,
        sans_domicile="oui",
    )
    _inscription(
        operation,
        990104,
        990004,
        {
            "nom": "Martin",
            "prenom": "Julie",
            "sexe": "F",
            "date_naissance": datetime.date(1996, 6, 21),
            "code_commune_naissance": "38185",
            "adresse": "3 avenue Alsace-Lorraine",
            "code_postal": "38000",
            "commune": "Grenoble",
            "telephone": "07 11 22 33 44",
            "email": "julie.martin@exemple.fr",
        },
        complete=True,
        sortie=True,
    )
    InscriptionFactory(
        operation=operation,
        complete=True,
        date_entree=datetime.date(2026, 1, 5),
        date_sortie=datetime.date(2026, 1, 20),
    )
    InscriptionFactory(operation=OperationFactory(plie=world.plie_a), complete=True)
    return operation


def _fichier(operation, user, **periode):
    return "".join(mdfse.export_csv(operation, scope_for(user), **periode)).encode("utf-8")


def test_it_writes_the_expected_file_byte_for_byte(world, operation_a):
    contenu = _fichier(operation_a, world.gestionnaire_a, du=datetime.date(2026, 2, 1))

    assert contenu == ATTENDU.read_bytes()


def test_the_whole_period_also_has_the_enrolment_left_in_january(world, operation_a):
    lignes = _fichier(operation_a, world.gestionnaire_a).decode().split("\r\n")

    assert len(lignes) == 1 + 5 + 1  # header, 5 enrolments, the empty string after the last CRLF
    assert lignes[-1] == ""


def test_exit_data_after_the_period_is_not_written(world, operation_a):
    lignes = _fichier(operation_a, world.gestionnaire_a, au=datetime.date(2026, 9, 29)).decode().splitlines()

    martin = next(ligne for ligne in lignes if ";MARTIN;" in ligne)
    assert martin.endswith(";O;N;N" + ";" * 7)


def test_it_has_no_bom_and_one_header(world, operation_a):
    contenu = _fichier(operation_a, world.gestionnaire_a)

    assert not contenu.startswith(b"\xef\xbb\xbf")
    assert contenu.split(b"\r\n")[0].decode() == ";".join(mdfse.ENTETES)
    assert all(colonne.source for colonne in mdfse.COLONNES)


def test_a_separator_in_free_text_does_not_shift_the_columns(world):
    operation = OperationFactory(plie=world.plie_a)
    InscriptionFactory(
        operation=operation,
        participant=ParticipantFactory(plie=world.plie_a, adresse="Bât. B ; 2e étage\n12 rue Haute"),
    )

    ligne = _fichier(operation, world.gestionnaire_a).decode().splitlines()[1]

    assert len(ligne.split(";")) == len(mdfse.ENTETES)
    assert ";Bât. B , 2e étage 12 rue Haute;" in ligne


@pytest.mark.parametrize(
    ("saisi", "attendu"),
    [
        ("06 12 34 56 78", "0612345678"),
        ("06.12.34.56.78", "0612345678"),
        ("+33 6 12 34 56 78", "0612345678"),
        ("+33 (0)6 12 34 56 78", "0612345678"),
        ("0033 6 12 34 56 78", "0612345678"),
        ("+32 470 12 34 56", "32470123456"),
        ("", ""),
    ],
)
def test_phones_are_written_as_digits(saisi, attendu):
    assert mdfse.telephone(saisi) == attendu


def test_another_plie_gets_an_empty_file(world, operation_a):
    for user in (world.referent_b, world.financeur, world.no_role):
        user = type(user).objects.get(pk=user.pk)
        assert _fichier(operation_a, user).decode().count("\r\n") == 1  # the header only


def test_the_oi_direction_gets_no_row(world, operation_a):
    # an OI membership reads aggregates only (plie.core.scoping): the header only
    assert _fichier(operation_a, world.oi_user).decode().count("\r\n") == 1


def test_the_export_costs_one_query_whatever_the_number_of_rows(
    world, operation_a, django_assert_num_queries
):
    user = world.gestionnaire_a
    mdfse.inscriptions(operation_a, scope_for(user)).exists()  # scope computed once per user object (1 query)
    with django_assert_num_queries(1):  # the enrolments joined with their participants
        contenu = _fichier(operation_a, user)
    assert contenu.count(b"\r\n") == 6
    for _ in range(5):
        InscriptionFactory(operation=operation_a, complete=True)
    with django_assert_num_queries(1):
        assert _fichier(operation_a, user).count(b"\r\n") == 11


def test_file_name():
    operation = OperationFactory.build(code="ACC 2026/A")
    assert mdfse.nom_fichier(operation, "csv") == "mdfse-ACC-2026-A-20260101-20261231.csv"


def test_the_command_writes_the_expected_file(world, operation_a, tmp_path):
    output = tmp_path / "mdfse.csv"
    stderr = io.StringIO()
    call_command(
        "export_mdfse", "--plie", "plie-a", "--operation", "ACC-2026-A", "--du", "01/02/2026",
        "--output", str(output), stderr=stderr,
    )  # fmt: skip
    assert output.read_bytes() == ATTENDU.read_bytes()
    assert "4 inscription(s) écrite(s)" in stderr.getvalue()


def test_the_command_writes_to_stdout(world, operation_a):
    stdout = io.StringIO()
    call_command(
        "export_mdfse", "--plie", "plie-a", "--operation", "ACC-2026-A", "--du", "01/02/2026", stdout=stdout
    )
    assert stdout.getvalue().encode("utf-8") == ATTENDU.read_bytes()


def test_the_command_only_sees_the_plie_given(world, operation_a):
    OperationFactory(plie=world.plie_b, code="ACC-2026-A")
    stdout = io.StringIO()
    call_command("export_mdfse", "--plie", "plie-b", "--operation", "ACC-2026-A", stdout=stdout)
    assert stdout.getvalue().count("\r\n") == 1  # the header only


def test_the_command_validates(world, operation_a):
    stdout = io.StringIO()
    stderr = io.StringIO()
    call_command(
        "export_mdfse", "--plie", "plie-a", "--operation", "ACC-2026-A", "--du", "01/02/2026", "--valider",
        stdout=stdout, stderr=stderr,
    )  # fmt: skip
    assert stdout.getvalue() == ""
    assert "0 ligne(s) rejetée(s)" in stderr.getvalue()
    InscriptionFactory(operation=operation_a, participant=ParticipantFactory(plie=world.plie_a, nom="Zola"))
    with pytest.raises(CommandError, match="1 ligne\\(s\\) rejetée\\(s\\)"):
        call_command(
            "export_mdfse", "--plie", "plie-a", "--operation", "ACC-2026-A", "--du", "01/02/2026",
            "--valider", stdout=stdout,
        )  # fmt: skip
    assert (
        "ligne 6 ; Q1 Emploi ; erreur ; Q1. Statut sur le marché du travail : réponse manquante."
        in stdout.getvalue()
    )


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["--plie", "inconnu", "--operation", "ACC-2026-A"], "PLIE « inconnu » introuvable."),
        (["--plie", "plie-a", "--operation", "X"], "Opération « X » introuvable dans le PLIE « plie-a »."),
        (
            ["--plie", "plie-a", "--operation", "ACC-2026-A", "--du", "2026-01-01"],
            "Date « 2026-01-01 » invalide",
        ),
        (
            ["--plie", "plie-a", "--operation", "ACC-2026-A", "--du", "02/02/2026", "--au", "01/02/2026"],
            "--du est",
        ),
    ],
)
def test_the_command_explains_bad_arguments(world, operation_a, arguments, message):
    with pytest.raises(CommandError, match=message):
        call_command("export_mdfse", *arguments, stdout=io.StringIO())
