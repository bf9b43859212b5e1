"""A référent's whole first meeting with a participant, in a real browser: the dossier is created,
the FSE entry questionnaire answered until complete, the identity card filed, and the dossier
found again from a misspelt search. Screenshots of the key pages land in tests/artifacts/."""

import datetime
import re

from django.utils import timezone
from playwright.sync_api import expect

from tests.e2e.conftest import screenshot
from tests.factories import DEFAULT_PASSWORD, MINIMAL_PDF, ParticipantFactory


def login(page, email):
    page.goto("/connexion/")
    page.get_by_label("Adresse électronique").fill(email)
    page.get_by_label("Mot de passe").fill(DEFAULT_PASSWORD)
    page.get_by_role("button", name="Se connecter").click()


def menu(page):
    return page.get_by_role("navigation", name="Menu principal")


def answer(scope, question, choice):
    """Tick ``choice`` among the radio buttons of the group (fieldset) named ``question``."""
    scope.get_by_role("group", name=question, exact=True).get_by_label(choice, exact=True).check()


def test_referent_creates_completes_and_finds_a_dossier(page, transactional_db, world):
    entree = timezone.localdate() - datetime.timedelta(days=7)
    login(page, world.referent_a.email)
    menu(page).get_by_role("link", name="Participants").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Participants")

    # The short creation form: identity, birth and contacts.
    page.get_by_role("link", name="Nouveau participant").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Nouveau participant")
    form = page.get_by_role("main").locator("form")
    expect(form.get_by_role("combobox", name="PLIE", exact=True)).to_have_value(str(world.plie_a.pk))
    form.get_by_role("textbox", name="Nom", exact=True).fill("Lefèvre")
    form.get_by_role("textbox", name="Prénom(s)", exact=True).fill("Hélène")
    answer(form, "Sexe", "Femme")
    form.get_by_role("textbox", name="Date de naissance", exact=True).fill("12/05/1988")
    form.get_by_role("textbox", name="Commune de naissance", exact=True).fill("Roubaix")
    form.get_by_role("textbox", name="Code de la commune de naissance", exact=True).fill("59512")
    form.get_by_role("textbox", name="Adresse", exact=True).fill("14 rue des Tisserands")
    code_postal = form.get_by_role("textbox", name="Code postal", exact=True)
    code_postal.fill("5910")
    form.get_by_role("textbox", name="Commune", exact=True).fill("Roubaix")
    form.get_by_role("textbox", name="Téléphone mobile", exact=True).fill("06 12 34 56 78")
    form.get_by_role("combobox", name="Nationalité", exact=True).select_option(label="Française")
    screenshot(page, "30-participant-creation")

    # A postal code one digit short is refused next to the field, the rest kept.
    form.get_by_role("button", name="Créer le dossier").click()
    expect(page.get_by_role("alert")).to_contain_text("corrigez l'erreur signalée")
    expect(code_postal).to_have_attribute("aria-invalid", "true")
    expect(code_postal).to_have_accessible_description("Le code postal doit comporter 5 chiffres.")
    expect(form.get_by_role("textbox", name="Nom", exact=True)).to_have_value("Lefèvre")
    expect(form.get_by_role("group", name="Sexe", exact=True).get_by_label("Femme")).to_be_checked()
    screenshot(page, "30b-participant-creation-erreur")
    code_postal.fill("59100")
    form.get_by_role("button", name="Créer le dossier").click()

    # The new dossier: only the questionnaire is missing.
    expect(page).to_have_url(re.compile(r"/participants/\d+/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("LEFÈVRE Hélène")
    expect(page.get_by_role("status")).to_contain_text("Dossier de LEFÈVRE Hélène créé.")
    fse = page.get_by_role("region", name="Questionnaire FSE d'entrée")
    expect(fse.get_by_role("list", name="Réponses manquantes")).to_have_text(
        "Questionnaire d'entrée : non commencé."
    )
    dossier_url = page.url

    # The FSE entry questionnaire, every question answered.
    fse.get_by_role("link", name="Remplir le questionnaire").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Questionnaire FSE d'entrée")
    questionnaire = page.locator("#questionnaire")
    questionnaire.get_by_role("textbox", name="Date d'entrée", exact=True).fill(f"{entree:%d/%m/%Y}")
    questionnaire.get_by_role("textbox", name="Date du questionnaire", exact=True).fill(f"{entree:%d/%m/%Y}")
    sans_emploi = page.locator("#q1-sans-emploi")
    expect(sans_emploi).to_be_hidden()
    answer(questionnaire, "Q1. Occupe un emploi ?", "Non, sans emploi")
    expect(sans_emploi).to_be_visible()
    answer(questionnaire, "1e. En formation, en stage ou en école ?", "Non")
    duree = questionnaire.get_by_role("spinbutton", name="1g. Depuis combien de mois ?", exact=True)
    expect(duree).to_be_hidden()
    answer(questionnaire, "1f. Recherche activement un emploi ?", "Oui")
    duree.fill("14")
    answer(questionnaire, "Q2. Niveau de formation", "2b. Primaire, collège, brevet (CITE 1-2)")
    answer(questionnaire, "Q3. Reconnaissance officielle d'un handicap (RQTH, BOETH…)", "Non")
    answer(questionnaire, "Q4. Allocataire de minima sociaux", "Oui")
    answer(questionnaire, "Dont bénéficiaire du RSA", "Oui")
    answer(questionnaire, "Q5. Sans domicile fixe ou exclusion du logement", "Non")
    answer(questionnaire, "Q6. Un parent né à l'étranger", "Ne souhaite pas répondre / ne sait pas")
    answer(questionnaire, "Ménage dont aucun membre n'a d'emploi", "Oui")
    answer(questionnaire, "Ménage avec enfants à charge", "Oui")
    answer(questionnaire, "Ménage d'un seul adulte avec enfants à charge", "Oui")
    screenshot(page, "31-questionnaire-fse")
    questionnaire.get_by_role("button", name="Enregistrer le questionnaire").click()

    # Back on the dossier: complete, nothing missing, the answers summed up.
    expect(page).to_have_url(dossier_url)
    expect(page.get_by_role("status")).to_have_text("Questionnaire enregistré : il est complet.")
    expect(fse).to_contain_text("Toutes les réponses du questionnaire sont renseignées.")
    expect(fse.get_by_role("list", name="Réponses manquantes")).to_have_count(0)
    expect(fse).to_contain_text("Non, sans emploi")
    expect(fse).to_contain_text("14 mois")
    expect(fse).to_contain_text(f"{entree:%d/%m/%Y}")
    expect(page.get_by_role("list", name="Catégories de public")).to_contain_text("BRSA")

    # The identity card, as a PDF.
    documents = page.get_by_role("region", name="Pièces justificatives")
    expect(documents).to_contain_text("Aucune pièce déposée.")
    documents.get_by_role("link", name="Ajouter un document").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Ajouter un document")
    page.get_by_role("combobox", name="Type de pièce", exact=True).select_option(
        label="Pièce d'identité / titre de séjour"
    )
    page.get_by_label("Fichier").set_input_files(
        {"name": "carte-identite.pdf", "mimeType": "application/pdf", "buffer": MINIMAL_PDF}
    )
    screenshot(page, "32-document-ajout")
    page.get_by_role("button", name="Déposer le document").click()
    expect(page).to_have_url(dossier_url)
    expect(page.get_by_role("status")).to_have_text("Document « carte-identite.pdf » ajouté au dossier.")
    row = documents.get_by_role("row", name=re.compile("carte-identite.pdf"))
    expect(row).to_contain_text("Pièce d'identité / titre de séjour")
    expect(row.get_by_role("link", name="carte-identite.pdf", exact=True)).to_have_attribute("download", "")
    expect(row.get_by_role("link", name="Supprimer carte-identite.pdf")).to_be_visible()
    screenshot(page, "33-dossier-participant")

    # A namesake in PLIE B stays out of reach; the misspelt search finds ours.
    ParticipantFactory(plie=world.plie_b, nom="Lefebvre", prenom="Hélène")
    menu(page).get_by_role("link", name="Participants").click()
    page.get_by_label("Rechercher un participant").fill("Lefebvre helene")
    page.get_by_role("button", name="Rechercher").click()
    expect(page).to_have_url(re.compile(r"/participants/$"))  # the search never goes in the URL
    table = page.get_by_role("table")
    expect(table.locator("caption")).to_have_text("1 résultat pour « Lefebvre helene »")
    expect(table.get_by_role("row")).to_have_count(2)  # the header and Hélène Lefèvre
    result = table.get_by_role("row", name=re.compile("LEFÈVRE"))
    expect(result).to_contain_text("Hélène")
    expect(result).to_contain_text("12/05/1988")
    expect(result).to_contain_text("PLIE A")
    expect(result).to_contain_text("Complet")
    screenshot(page, "34-recherche-participant")
    result.get_by_role("link", name="LEFÈVRE").click()
    expect(page).to_have_url(dossier_url)
