"""The money side of an operation in a browser: a référent fills this week's time sheet,
pre-filled from their entretiens, and signs it; their responsable countersigns; the gestionnaire
produces the financial bilan d'exécution, whose staff line (read back from the PDF) equals the
validated hours × the salary ÷ the hours worked."""

import datetime
import io
import re
from decimal import Decimal
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import expect
from pypdf import PdfReader

from finances.couts import montant_fr
from finances.models import FicheTemps, Salaire
from finances.temps import lundi
from tests.e2e.conftest import screenshot
from tests.e2e.test_login_journey import login, logout, menu
from tests.finances.factories import AffectationFactory, PersonnelFactory
from tests.operations.factories import InscriptionFactory, OperationFactory
from tests.parcours.factories import EntretienFactory, ParcoursFactory

pytestmark = pytest.mark.browser


def test_a_week_signed_countersigned_and_billed(page, transactional_db, world):
    today = timezone.localdate()
    monday = lundi(today)
    operation = OperationFactory(
        plie=world.plie_a,
        code="ACC-E2E",
        date_debut=monday - datetime.timedelta(days=60),
        date_fin=monday + datetime.timedelta(days=60),
    )
    personnel = PersonnelFactory(plie=world.plie_a, user=world.referent_a, responsable=world.animateur_a)
    AffectationFactory(
        personnel=personnel, operation=operation, date_debut=operation.date_debut, date_fin=operation.date_fin
    )
    Salaire.objects.create(
        personnel=personnel,
        mois=monday.replace(day=1),
        brut=Decimal("2300"),
        charges=Decimal("700"),
        heures_travaillees=Decimal("151.67"),
    )
    parcours = ParcoursFactory(
        plie=world.plie_a, participant__plie=world.plie_a, en_parcours=True, referent=world.referent_a
    )
    InscriptionFactory(
        operation=operation,
        participant=parcours.participant,
        parcours=parcours,
        date_entree=operation.date_debut,
    )
    EntretienFactory(parcours=parcours, date=monday, duree_minutes=90)
    EntretienFactory(parcours=parcours, date=monday, duree_minutes=45)

    # The référent opens this week's sheet from the menu: Monday is pre-filled with 2,25 h.
    login(page, world.referent_a.email)
    menu(page).get_by_role("link", name="Fiches temps").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Fiche temps de {world.referent_a}")
    lundi_cell = page.get_by_label(f"ACC-E2E, lundi {monday:%d/%m/%Y}")
    expect(lundi_cell).to_have_value("2,25")
    expect(page.locator("#prerempli")).to_be_visible()
    lundi_cell.fill("4,75")
    page.get_by_label(f"Hors opération, lundi {monday:%d/%m/%Y}").fill("2")
    screenshot(page, "40-fiche-temps-preremplie")
    page.get_by_role("button", name="Enregistrer et signer").click()
    expect(page.locator("#statut")).to_have_text("Signée par la personne")
    expect(page.get_by_role("textbox")).to_have_count(0)  # frozen
    sheet_url = page.url
    logout(page)

    # Their responsable countersigns.
    login(page, world.animateur_a.email)
    page.goto(sheet_url)
    page.get_by_role("button", name="Valider (responsable)").click()
    expect(page.locator("#statut")).to_have_text("Validée par le responsable")
    screenshot(page, "41-fiche-temps-validee")
    logout(page)
    assert FicheTemps.objects.get().validee_par == world.animateur_a

    # The gestionnaire produces the financial bilan d'exécution and reads its staff line.
    login(page, world.gestionnaire_a.email)
    menu(page).get_by_role("link", name="Personnel et temps").click()
    page.get_by_role("link", name="Plans de financement").first.click()
    page.get_by_role("link", name=re.compile("^ACC-E2E")).click()
    page.get_by_role("link", name="Bilan d'exécution financier et contrôle de service fait").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Bilan d'exécution financier — ACC-E2E")
    screenshot(page, "42-bilan-financier")
    with page.expect_download() as download_info:
        page.get_by_role("link", name="PDF", exact=True).click()
    text = " ".join(
        p.extract_text() for p in PdfReader(io.BytesIO(Path(download_info.value.path()).read_bytes())).pages
    )
    expected = (Decimal("3000") * Decimal("4.75") / Decimal("151.67")).quantize(Decimal("0.01"))  # 93.95
    assert montant_fr(expected) in text
    assert f"Fiche temps semaine du {monday:%d/%m/%Y} (v1)" in text
