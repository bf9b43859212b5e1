"""A gestionnaire's FSE round: open an operation's completeness board, see the incomplete entry
questionnaires, follow a line to the questionnaire form, give the missing answer, come back to
the board and see one fewer; then the control before filing and the MDFSE file, and the annual
bilan as PDF and XLSX. Every page goes through ``journey.check`` (screenshot under
var/screenshots/, axe-core, every link below 400 for the role)."""

import csv
import datetime
import io
import re
from pathlib import Path

import pytest
from django.utils import timezone
from openpyxl import load_workbook
from playwright.sync_api import expect
from pypdf import PdfReader

from operations.models import Inscription
from tests.e2e.test_login_journey import login
from tests.factories import ParticipantFactory
from tests.operations.factories import InscriptionFactory, OperationFactory

pytestmark = pytest.mark.browser

IDENTITE = {
    "code_commune_naissance": "69123",
    "adresse": "1 rue Neuve",
    "code_postal": "69001",
    "commune": "Lyon",
    "telephone": "0601020304",
}


def download(page, link):
    """Click ``link`` and return (suggested file name, bytes) of the download."""
    with page.expect_download() as info:
        link.click()
    return info.value.suggested_filename, Path(info.value.path()).read_bytes()


def test_gestionnaire_completeness_mdfse_file_and_bilan(page, journey, transactional_db, world):
    today = timezone.localdate()
    operation = OperationFactory(
        plie=world.plie_a,
        code="ACC-E2E",
        date_debut=datetime.date(today.year, 1, 1),
        date_fin=datetime.date(today.year, 12, 31),
    )
    entree = datetime.date(today.year, 1, 5)
    for nom in ("Bernard", "Durand", "Petit"):
        participant = ParticipantFactory(plie=world.plie_a, nom=nom, prenom="Alex", **IDENTITE)
        InscriptionFactory(
            operation=operation,
            participant=participant,
            complete=True,
            date_entree=entree,
            niveau_formation="",
        )
    participant = ParticipantFactory(plie=world.plie_a, nom="Complet", prenom="Sam", **IDENTITE)
    InscriptionFactory(operation=operation, participant=participant, complete=True, date_entree=entree)

    page.goto("/connexion/")
    journey.check("connexion", links=False)
    login(page, world.gestionnaire_a.email)
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    journey.check("accueil-gestion")

    page.goto(f"/operations/{operation.pk}/completude/")
    compteur = page.locator('[data-compteur="entrees_incompletes"]')
    expect(compteur).to_have_text("3")
    lignes = page.locator("#entrees-incompletes tbody tr")
    expect(lignes).to_have_count(3)
    expect(lignes.first).to_contain_text("Q2. Niveau de formation : réponse manquante.")
    journey.check("completude-avant")

    lignes.filter(has_text="BERNARD Alex").get_by_role("link", name="Compléter le questionnaire").click()
    expect(page.get_by_role("button", name="Confirmer le questionnaire")).to_be_visible()
    page.get_by_label(re.compile(r"^2c\.")).check()
    journey.check("questionnaire")
    page.get_by_role("button", name="Confirmer le questionnaire").click()

    expect(page).to_have_url(re.compile(rf"/operations/{operation.pk}/completude/$"))
    expect(page.locator('[data-compteur="entrees_incompletes"]')).to_have_text("2")
    expect(page.locator("#entrees-incompletes tbody tr")).to_have_count(2)
    expect(page.locator("#entrees-incompletes")).not_to_contain_text("BERNARD")
    journey.check("completude-apres")
    assert Inscription.objects.get(participant__nom="Bernard").niveau_formation == "2c"

    # The control before filing, then the MDFSE file.
    page.goto(f"/operations/{operation.pk}/")
    journey.check("operation")
    page.get_by_role("link", name="Contrôle avant dépôt").click()
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    journey.check("controle-avant-depot")
    nom, contenu = download(
        page, page.get_by_role("link", name="Télécharger le fichier CSV pour Ma Démarche FSE")
    )
    assert nom.endswith(".csv")
    lignes = list(csv.reader(io.StringIO(contenu.decode("utf-8-sig")), delimiter=";"))
    assert len(lignes) == 1 + 4  # the header and the four enrolments
    assert any("BERNARD" in cellule.upper() for ligne in lignes for cellule in ligne)

    # The annual bilan, as a PDF and as a workbook, through the export jobs.
    for kind, extension in (("Bilan annuel (PDF)", "pdf"), ("Bilan annuel (XLSX)", "xlsx")):
        page.goto("/rapports/exports/nouveau/")
        journey.check(f"export-bilan-{extension}")
        page.get_by_label("Export").select_option(label=kind)
        page.get_by_label("PLIE ou OI").select_option(label="PLIE A")
        page.get_by_label("Année du bilan").fill(str(today.year))
        # the job runs eagerly in the request (CELERY_TASK_ALWAYS_EAGER): a bilan PDF takes a while
        page.get_by_role("button", name="Lancer l'export").click(timeout=90_000)
        lien = page.get_by_role("link", name="Télécharger le fichier")
        expect(lien).to_be_visible(timeout=90_000)
        journey.check(f"bilan-{extension}-pret")
        nom, contenu = download(page, lien)
        assert nom.endswith(f".{extension}")
        if extension == "pdf":
            journey.keep_pdf("bilan", contenu)
            texte = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(contenu)).pages)
            assert f"Bilan annuel {today.year}" in texte
            assert "Cofinancé par l'Union européenne" in texte
        else:
            assert load_workbook(io.BytesIO(contenu), read_only=True).sheetnames
