"""A référent's morning: log in, open « Ma file active », log an entretien in at most three
clicks plus typing, and find it in the participant's timeline. Screenshots of the workspace and
of the form land in tests/artifacts/."""

import datetime
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from parcours.enums import StatutParcours, TypeAlerte
from parcours.models import Alerte, Entretien
from tests.e2e.conftest import screenshot
from tests.factories import DEFAULT_PASSWORD, ParticipantFactory
from tests.parcours.factories import EtapeFactory, ParcoursFactory, TypeEtapeFactory

pytestmark = pytest.mark.browser

MAX_CLICKS = 3


class ClickCounter:
    """Counts the clicks the journey makes (navigation excluded: it is counted separately)."""

    def __init__(self):
        self.count = 0

    def click(self, locator):
        self.count += 1
        locator.click()


def follow(world, nom, prenom, *, days_since_contact, **fields):
    today = timezone.localdate()
    participant = ParticipantFactory(plie=world.plie_a, nom=nom, prenom=prenom)
    return ParcoursFactory(
        participant=participant,
        en_parcours=True,
        referent=world.referent_a,
        date_orientation=today - datetime.timedelta(days=200),
        date_commission=today - datetime.timedelta(days=190),
        date_entree=today - datetime.timedelta(days=180),
        date_signature_contrat=today - datetime.timedelta(days=180),
        dernier_contact=today - datetime.timedelta(days=days_since_contact),
        **fields,
    )


def test_referent_logs_an_entretien_from_the_workspace(page, transactional_db, world):
    today = timezone.localdate()
    lefevre = follow(world, "Lefèvre", "Hélène", days_since_contact=41)
    EtapeFactory(
        parcours=lefevre,
        type=TypeEtapeFactory(libelle="Formation qualifiante CACES", categorie="formation_qualifiante"),
        date_debut=today - datetime.timedelta(days=30),
    )
    Alerte.objects.create(
        plie=world.plie_a,
        parcours=lefevre,
        type=TypeAlerte.SANS_CONTACT,
        computed_on=today,
        detail="41 jours",
    )
    follow(world, "Martin", "Paul", days_since_contact=8, status=StatutParcours.SUSPENDU)
    follow(world, "Bernard", "Zoé", days_since_contact=2, status=StatutParcours.EN_SUIVI_EMPLOI)

    # Log in and go to « Ma file active » from the menu.
    page.goto("/connexion/")
    page.get_by_label("Adresse électronique").fill(world.referent_a.email)
    page.get_by_label("Mot de passe").fill(DEFAULT_PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    menu = page.get_by_role("navigation", name="Menu principal")
    expect(menu.get_by_role("link")).to_have_text(
        ["Accueil", "Ma file active", "Participants", "Offres d'emploi", "Suivis à six mois", "Fiches temps"]
    )
    menu.get_by_role("link", name="Ma file active").click()
    expect(page).to_have_url(re.compile(r"/parcours/ma-file-active/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Ma file active")
    table = page.get_by_role("table")
    expect(table.get_by_role("row")).to_have_count(4)  # header + 3 parcours
    row = table.get_by_role("row").filter(has_text="LEFÈVRE Hélène")
    expect(row).to_contain_text("Formation qualifiante CACES")
    expect(row).to_contain_text("il y a 41 jours")
    expect(row).to_contain_text("Pas de contact depuis trop longtemps")
    screenshot(page, "parcours-01-ma-file-active")

    # The entretien: three clicks at most, and typing.
    clicks = ClickCounter()
    clicks.click(row.get_by_role("link", name="Noter un entretien avec LEFÈVRE Hélène"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Noter un entretien")
    expect(page.get_by_label("Date de l'entretien")).to_have_value(f"{today:%d/%m/%Y}")
    expect(page.get_by_label("Individuel")).to_be_checked()
    page.get_by_label("Durée (minutes)").fill("45")
    page.get_by_label("Notes").fill("Inscription au CACES confirmée, point sur la mobilité.")
    rdv = today + datetime.timedelta(days=14)
    page.get_by_label("Date du rendez-vous").fill(f"{rdv:%d/%m/%Y}")
    page.get_by_label("Heure du rendez-vous").fill("14:30")
    clicks.click(page.get_by_label("Formation", exact=True))
    screenshot(page, "parcours-02-noter-un-entretien")
    clicks.click(page.get_by_role("button", name="Enregistrer l'entretien"))
    assert clicks.count <= MAX_CLICKS

    # Back on the workspace, with a French message and the row up to date.
    expect(page).to_have_url(re.compile(r"/parcours/ma-file-active/$"))
    message = f"Entretien du {today:%d/%m/%Y} noté pour LEFÈVRE Hélène."
    expect(page.get_by_role("status")).to_contain_text(
        f"{message} Prochain rendez-vous le {rdv:%d/%m/%Y} à 14h30."
    )
    row = page.get_by_role("table").get_by_role("row").filter(has_text="LEFÈVRE Hélène")
    expect(row).to_contain_text("aujourd'hui")
    expect(row).to_contain_text(f"{rdv:%d/%m/%Y} à 14h30")
    entretien = Entretien.objects.get()
    assert (entretien.duree_minutes, entretien.sujets, entretien.referent) == (
        45,
        ["formation"],
        world.referent_a,
    )
    screenshot(page, "parcours-03-ma-file-active-apres")

    # The dossier's timeline shows it at once.
    row.get_by_role("link", name="LEFÈVRE Hélène", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("LEFÈVRE Hélène")
    history = page.get_by_role("region", name="Historique")
    expect(history).to_contain_text(f"Entretien individuel du {today:%d/%m/%Y} (45 min) : Formation.")
    expect(history.get_by_role("listitem").first).to_contain_text("Entretien individuel")
    screenshot(page, "parcours-04-dossier-historique")
