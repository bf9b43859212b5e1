"""Both encodings, both separators, XLSX (date cells and numbers), the command line."""

import datetime

import pytest
from django.core.management import CommandError, call_command

from parcours.importation.lecture import detect_encoding
from participants.models import Participant
from tests.parcours.importation.helpers import csv_bytes, ligne, messages, run, xlsx_bytes

ROWS = [
    ligne(nom="Lefèvre", prenom="Hélène", prescripteur="Mission Locale Vénissieux"),
    ligne(identifiant="L002", nom="Dubœuf", prenom="Zoé", date_entree="2023-05-04"),
]


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp1252"])
@pytest.mark.parametrize("sep", [";", ","])
def test_it_reads_both_encodings_and_separators(world, encoding, sep):
    resultat, compteurs = run(csv_bytes(ROWS, sep=sep, encoding=encoding), world.plie_a)

    assert messages(resultat) == []
    assert compteurs.participants_crees == 2
    noms = sorted(Participant.objects.values_list("nom", "prenom"))
    assert noms == [("Dubœuf", "Zoé"), ("Lefèvre", "Hélène")]
    assert world.plie_a.partenaires.filter(nom="Mission Locale Vénissieux", kind="prescripteur").exists()


def test_encoding_detection():
    import io

    assert detect_encoding(io.BytesIO("é".encode())) == "utf-8-sig"
    assert detect_encoding(io.BytesIO("é".encode("cp1252"))) == "cp1252"


def test_it_reads_xlsx_with_date_and_number_cells(world):
    def cell(column, value):
        if column in ("date_naissance", "date_entree") and value:
            return (
                datetime.datetime.strptime(value, "%d/%m/%Y")
                if "/" in value
                else datetime.date.fromisoformat(value)
            )
        if column == "code_postal":
            return 1000  # Excel dropped the leading zero of 01000
        return value

    resultat, compteurs = run(xlsx_bytes(ROWS, cell=cell), world.plie_a, filename="export.XLSX")

    assert messages(resultat) == []
    assert compteurs.parcours_crees == 2
    lea = Participant.objects.get(identifiant_externe="L001")
    assert (lea.date_naissance, lea.code_postal) == (datetime.date(1990, 3, 12), "01000")
    assert lea.parcours.get().date_entree == datetime.date(2024, 2, 1)


def test_xlsx_errors_carry_the_spreadsheet_line(world):
    resultat, _ = run(
        xlsx_bytes([ligne(), ligne(identifiant="L2", sexe="H")]), world.plie_a, filename="a.xlsx"
    )
    assert [(e.ligne, e.colonne) for e in resultat.erreurs] == [(3, "sexe")]


def test_a_quoted_value_spanning_lines_keeps_line_numbers(world):
    content = csv_bytes([ligne(prescripteur="CCAS\nde Lyon"), ligne(identifiant="L2", sexe="H")])
    resultat, _ = run(content, world.plie_a)
    assert [(e.ligne, e.colonne) for e in resultat.erreurs] == [(4, "sexe")]


def test_the_command_imports_and_dry_runs(world, tmp_path, capsys):
    path = tmp_path / "ancien.csv"
    path.write_bytes(csv_bytes(ROWS, encoding="cp1252"))

    call_command("import_parcours", str(path), "--plie", "plie-a", "--dry-run")
    assert "Fichier valide : 2 ligne(s)" in capsys.readouterr().out
    assert not Participant.objects.exists()

    call_command("import_parcours", str(path), "--plie", "plie-a")
    assert "participants : 2 créé(s)" in capsys.readouterr().out
    assert Participant.objects.count() == 2


def test_the_command_lists_errors_and_writes_the_report(world, tmp_path, capsys):
    path = tmp_path / "ancien.csv"
    path.write_bytes(csv_bytes([ligne(sexe="X", type_sortie="CDI")]))
    rapport = tmp_path / "erreurs.csv"

    with pytest.raises(CommandError, match="2 erreur\\(s\\) dans .* rien n'a été importé"):
        call_command("import_parcours", str(path), "--plie", "plie-a", "--rapport", str(rapport))

    err = capsys.readouterr().err
    assert "Ligne 2, colonne sexe : « X » : le sexe s'écrit F ou M." in err
    lines = rapport.read_text(encoding="utf-8-sig").splitlines()
    assert lines[0] == "ligne;colonne;valeur;erreur"
    assert lines[1].startswith("2;date_sortie;;Un type de sortie")
    assert len(lines) == 3


def test_the_command_refuses_an_unknown_plie(world, tmp_path):
    path = tmp_path / "a.csv"
    path.write_bytes(csv_bytes([ligne()]))
    with pytest.raises(CommandError, match="PLIE inconnu : nulle-part"):
        call_command("import_parcours", str(path), "--plie", "nulle-part")


def test_trailing_separators_of_excel_are_ignored(world):
    content = csv_bytes([ligne()]).replace(b"\r\n", b";;\r\n")
    resultat, compteurs = run(content, world.plie_a)
    assert messages(resultat) == [] and compteurs.parcours_crees == 1


def test_the_sample_file_of_a_legacy_tool(world, capsys):
    from pathlib import Path

    sample = Path(__file__).parent / "fichiers" / "exemple_windows1252.csv"
    call_command("import_parcours", str(sample), "--plie", "plie-a")

    assert "participants : 3 créé(s)" in capsys.readouterr().out
    helene = Participant.objects.get(identifiant_externe="A-0001")
    assert (helene.nom, helene.prenom, helene.parcours.count()) == ("Lefèvre", "Hélène", 2)
    assert Participant.objects.get(identifiant_externe="A-0003").nom == "Dubœuf"
