"""``manage.py bilan`` in its three formats (the XLSX read back with openpyxl) and its refusals."""

import csv
import io
import json

import pytest
from django.core.management import CommandError, call_command
from openpyxl import load_workbook

from parcours.enums import CategorieSortie as C
from tests.factories import PlieFactory
from tests.reporting.conftest import D, make_parcours

SHEETS = [
    "Règle de comptage",  # the bilan's face: its title and counting rule
    "Flux annuel",
    "Sorties par catégorie",
    "Taux et durée",
    "Répartitions",
    "Étapes",
    "Étapes par catégorie",
    "Accompagnement par mois",
    "Accompagnement par référent",
    "Entretiens par mode",
]


@pytest.fixture
def plie(db):
    plie = PlieFactory(code="plie-cmd")
    make_parcours(plie, D(2015, 3, 2))
    make_parcours(plie, D(2015, 3, 2), D(2016, 6, 1), C.EMPLOI_DURABLE, sexe="M")
    make_parcours(plie, D(2016, 1, 4), D(2016, 9, 1), C.ABANDON)
    make_parcours(plie, D(2016, 2, 1), D(2016, 10, 1), C.NEUTRALISEE)
    make_parcours(plie, D(2016, 5, 2))
    return plie


def run(*args):
    stdout, stderr = io.StringIO(), io.StringIO()
    call_command("bilan", *args, stdout=stdout, stderr=stderr)
    return stdout.getvalue(), stderr.getvalue()


def test_json_on_stdout(plie):
    out, _ = run("--plie", "plie-cmd", "--annee", "2016")
    bilan = json.loads(out)
    assert bilan["plie"] == "plie-cmd"
    assert bilan["flux"]["en_parcours_debut"] == 2
    assert bilan["flux"]["entrees"] == 3
    assert bilan["flux"]["en_parcours_fin"] == 2
    assert bilan["taux"]["sorties_positives_hors_neutralisees"] == 1 / 2


def test_json_to_a_file(plie, tmp_path):
    path = tmp_path / "bilan.json"
    _, err = run("--plie", "plie-cmd", "--annee", "2016", "--output", str(path))
    assert json.loads(path.read_text(encoding="utf-8"))["annee"] == 2016
    assert "écrit dans" in err


def test_csv_utf8_bom_semicolons(plie, tmp_path):
    path = tmp_path / "bilan.csv"
    run("--plie", "plie-cmd", "--annee", "2016", "--format", "csv", "--output", str(path))
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig")), delimiter=";"))
    # the face: the counting rule, then an empty line
    assert rows[0][0].startswith("Règle de comptage : Une sortie est datée du jour où la personne est partie")
    assert "ne compte que les sorties validées" in rows[0][0] and rows[1] == []
    rows = rows[2:]
    assert rows[0] == ["Flux annuel — plie-cmd — 2016"]
    assert rows[1] == ["Indicateur", "Participants"]
    flux = dict(rows[2:14])
    assert flux["En parcours au 31/12/2015"] == "2"
    assert flux["Entrées en 2016"] == "3"
    assert flux["Sorties positives en 2016"] == "1"
    assert flux["dont déménagements, décès, retraites (neutralisées)"] == "1"
    assert flux["En parcours au 31/12/2016"] == "2"
    taux = {row[0]: row[1] for row in rows if len(row) == 4}
    assert taux["Taux de sorties positives"] == repr(1 / 3).replace(".", ",")  # unrounded, decimal comma
    assert taux["Taux de sorties positives sur les entrées"] == repr(1 / 3).replace(".", ",")
    sexe = {row[1]: row[2:] for row in rows if row and row[0] == "Sexe"}
    assert sexe["Homme"] == ["0", "1", "1", "0", "1,0", "0,0"]
    assert sexe["Femme"][:4] == ["3", "2", "0", "1"]


def test_xlsx_one_sheet_per_table(plie, tmp_path):
    path = tmp_path / "bilan.xlsx"
    run("--plie", "plie-cmd", "--annee", "2016", "--format", "xlsx", "--output", str(path))
    workbook = load_workbook(path)
    assert workbook.sheetnames == SHEETS
    flux = {row[0]: row[1] for row in workbook["Flux annuel"].iter_rows(min_row=2, values_only=True)}
    assert flux["En parcours au 31/12/2015"] == 2
    assert flux["En parcours en 2016"] == 5
    assert flux["dont abandons"] == 1
    assert flux["En parcours au 31/12/2016"] == 2
    taux = workbook["Taux et durée"]
    assert [cell.value for cell in taux[1]] == ["Indicateur", "Taux", "Durée (mois)", "Définition"]
    assert taux["B2"].value == pytest.approx(1 / 3)
    assert taux["B2"].number_format == "0.0%"
    # the duration in months has its own column, as a decimal number, never a percentage
    duree = next(
        row for row in taux.iter_rows(min_row=2) if row[0].value == "Durée moyenne des parcours (mois)"
    )
    assert duree[1].value is None
    assert isinstance(duree[2].value, float) and duree[2].number_format == "0.00"
    assert all(row[2].number_format != "0.0%" for row in taux.iter_rows(min_row=2))
    repartitions = list(workbook["Répartitions"].iter_rows(values_only=True))
    assert repartitions[0][:3] == ("Dimension", "Valeur", "Entrées")
    assert ("Âge à l'entrée", "Plus de 54 ans", 0, 0, 0, 0, None, None) in repartitions  # null rates: empty
    mois = list(workbook["Accompagnement par mois"].iter_rows(min_row=2, values_only=True))
    assert [row[0] for row in mois] == [f"2016-{m:02}" for m in range(1, 13)]


def test_xlsx_without_output_goes_to_a_default_file_in_the_current_directory(plie, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    out, err = run("--plie", "plie-cmd", "--annee", "2016", "--format", "xlsx")
    assert out == ""
    assert err.strip() == (
        "Bilan 2016 de plie-cmd écrit dans bilan-plie-cmd-2016.xlsx "
        "(nom par défaut ; --output FICHIER pour en choisir un autre)."
    )
    workbook = load_workbook(tmp_path / "bilan-plie-cmd-2016.xlsx")
    assert workbook.sheetnames == SHEETS


def test_unknown_plie(db):
    with pytest.raises(CommandError, match="PLIE inconnu : absent"):
        run("--plie", "absent", "--annee", "2016")


def test_absurd_year(plie):
    with pytest.raises(CommandError, match="Année invalide"):
        run("--plie", "plie-cmd", "--annee", "16")
