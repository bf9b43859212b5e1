"""The référent's daily journey, checked page by page (``journey``: screenshot, axe-core, every
link below 400): log in, « Ma file active » (no sideways scroll on a 768 px tablet), note an
entretien, open the parcours, add a job étape with its contract, record the exit in CDI on the
contract's first day: six months later, the exit shows « Validable »."""

import datetime
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from parcours.enums import CategorieEtape, StatutParcours
from parcours.models import Contrat, Parcours, Sortie
from tests.e2e.test_login_journey import login, menu
from tests.factories import ParticipantFactory
from tests.parcours.factories import ParcoursFactory, TypeEtapeFactory

pytestmark = pytest.mark.browser


def test_referent_entretien_etape_contrat_sortie_validable(page, journey, transactional_db, world):
    today = timezone.localdate()
    embauche = today - datetime.timedelta(days=200)  # more than six months ago
    TypeEtapeFactory(plie=world.plie_a, code="emploi-cdi", libelle="Emploi durable", emploi=True)
    parcours = ParcoursFactory(
        participant=ParticipantFactory(plie=world.plie_a, nom="Lefèvre", prenom="Hélène"),
        en_parcours=True,
        referent=world.referent_a,
        date_orientation=today - datetime.timedelta(days=420),
        date_commission=today - datetime.timedelta(days=410),
        date_entree=today - datetime.timedelta(days=400),
        date_signature_contrat=today - datetime.timedelta(days=400),
        dernier_contact=today - datetime.timedelta(days=40),
    )
    for nom in ("Martin", "Bernard", "Petit-Dubois-Lemaire"):
        ParcoursFactory(
            participant=ParticipantFactory(plie=world.plie_a, nom=nom, prenom="Alex"),
            en_parcours=True,
            referent=world.referent_a,
            date_entree=today - datetime.timedelta(days=90),
            dernier_contact=today - datetime.timedelta(days=12),
        )

    page.goto("/connexion/")
    journey.check("connexion", links=False)
    login(page, world.referent_a.email)
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    journey.check("accueil")

    # « Ma file active », on a desktop then on a 768 px tablet: no sideways scrolling.
    menu(page).get_by_role("link", name="Ma file active").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Ma file active")
    journey.check("ma-file-active")
    page.set_viewport_size({"width": 768, "height": 1024})
    largeur = page.evaluate(
        "() => [document.scrollingElement.scrollWidth, document.scrollingElement.clientWidth]"
    )
    assert largeur[0] <= largeur[1], f"défilement horizontal à 768 px : {largeur}"
    journey.check("ma-file-active-tablette", links=False)
    page.set_viewport_size({"width": 1280, "height": 800})

    # The entretien, from the row.
    row = page.get_by_role("row").filter(has_text="LEFÈVRE Hélène")
    row.get_by_role("link", name="Noter un entretien avec LEFÈVRE Hélène").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Noter un entretien")
    journey.check("noter-un-entretien")
    page.get_by_label("Durée (minutes)").fill("50")
    page.get_by_label("Notes").fill("Embauchée en CDI à la boulangerie depuis l'été : point sur le poste.")
    page.get_by_role("button", name="Enregistrer l'entretien").click()
    expect(page.get_by_role("status")).to_contain_text("noté pour LEFÈVRE Hélène")
    journey.check("ma-file-active-apres-entretien")

    # The parcours, then the job étape with its contract.
    page.get_by_role("row").filter(has_text="LEFÈVRE Hélène").get_by_role(
        "link", name=re.compile("^Parcours")
    ).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("LEFÈVRE Hélène")
    journey.check("parcours")
    page.get_by_role("link", name="Ajouter une étape").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Ajouter une étape")
    journey.check("ajouter-une-etape")
    page.get_by_label("Type d'étape").select_option(label="Emploi durable")
    page.locator("#id_date_debut").fill(f"{embauche:%d/%m/%Y}")
    page.locator("#id_contrat_employeur").fill("Boulangerie du Centre")
    page.get_by_label("Type de contrat").select_option(value="cdi")
    page.get_by_label("Heures par semaine").fill("35")
    page.get_by_role("button", name="Ajouter l'étape").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("LEFÈVRE Hélène")
    journey.check("parcours-avec-contrat")
    contrat = Contrat.objects.get(etape__parcours=parcours)
    assert (contrat.employeur, contrat.date_debut, contrat.heures_hebdo) == (
        "Boulangerie du Centre",
        embauche,
        35,
    )
    assert contrat.etape.type.categorie == CategorieEtape.EMPLOI_DURABLE

    # The exit in CDI on the first day of the contract: validable today.
    page.get_by_role("link", name="Enregistrer la sortie").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Enregistrer une sortie")
    journey.check("enregistrer-une-sortie")
    page.get_by_label("CDI", exact=True).check()
    page.get_by_label("Date de sortie").fill(f"{embauche:%d/%m/%Y}")
    page.get_by_role("button", name="Enregistrer la sortie").click()
    sortie_panel = page.get_by_role("region", name="Sortie")
    expect(sortie_panel).to_contain_text("En attente de validation")
    expect(sortie_panel.locator(".outcome-success", has_text="Validable")).to_be_visible()
    journey.check("parcours-sortie-validable")

    parcours.refresh_from_db()
    assert parcours.status == StatutParcours.EN_SUIVI_EMPLOI
    sortie = Sortie.objects.get(parcours=parcours)
    assert (sortie.type.code, sortie.date_sortie, sortie.validee) == ("CDI", embauche, False)
    assert Parcours.objects.filter(referent=world.referent_a).count() == 4
