"""A prescripteur in a real browser (issue 16): a France Travail conseiller orients a person into
PLIE A from the partner space, the animateur's commission admits her (with a message for the
prescripteur and a motif kept in the minutes), and the conseiller reads « Admis » and the
message — nothing else of her dossier: not the minutes' motif, not an entretien, not the PLIE's
pages. Screenshots land in tests/artifacts/."""

import re

from django.utils import timezone
from playwright.sync_api import expect

from parcours.models import Parcours
from plie.core.enums import Role, StructureKind
from tests.e2e.conftest import screenshot
from tests.e2e.test_login_journey import login, logout, menu
from tests.factories import StructureFactory, user_with_role
from tests.parcours.factories import EntretienFactory


def test_a_conseiller_orients_and_sees_admis_and_nothing_else(page, transactional_db, world):
    today = timezone.localdate()
    agence = StructureFactory(kind=StructureKind.PRESCRIPTEUR, nom="France Travail Vénissieux")
    agence.plies.add(world.plie_a)
    conseiller = user_with_role(Role.REFERENT, agence, email="conseiller@francetravail.exemple.fr")

    # 1. the conseiller lands in the partner space and orients Amina Durand
    login(page, conseiller.email)
    expect(page.get_by_role("heading", level=1)).to_have_text("Espace partenaire")
    expect(menu(page).get_by_role("link", name="Participants")).to_have_count(0)
    page.get_by_role("link", name="Orienter une personne").click()
    page.get_by_label("Motif de l'orientation").fill("Demandeuse d'emploi depuis 18 mois, projet logistique.")
    page.get_by_role("textbox", name="Nom", exact=True).fill("Durand")
    page.get_by_role("textbox", name="Prénom(s)", exact=True).fill("Amina")
    page.get_by_label("Femme").check()
    page.get_by_role("textbox", name="Date de naissance", exact=True).fill("12/04/1988")
    page.get_by_role("textbox", name="Téléphone mobile", exact=True).fill("06 12 34 56 78")
    screenshot(page, "60-partenaire-orientation")
    page.get_by_role("button", name="Orienter").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("DURAND Amina")
    expect(page.locator(".statut-orientation")).to_have_text("Reçue")
    parcours = Parcours.objects.get(participant__nom="Durand")
    logout(page)

    # 2. the animateur's commission admits her
    login(page, world.animateur_a.email)
    menu(page).get_by_role("link", name="Commissions").click()
    page.get_by_role("link", name="Nouvelle session").click()
    page.get_by_label("Date de la session").fill(f"{today:%d/%m/%Y}")
    page.get_by_role("button", name="Créer la session").click()
    inscrire = page.get_by_role("region", name="Inscrire des dossiers")
    inscrire.get_by_label(re.compile("^DURAND Amina")).check()
    inscrire.get_by_role("button", name="Inscrire à l'ordre du jour").click()
    dossier = page.get_by_role("article", name="DURAND Amina")
    expect(dossier).to_contain_text("France Travail Vénissieux")
    dossier.get_by_label("Admis", exact=True).check()
    dossier.get_by_role("combobox", name="Référent de parcours").select_option(str(world.referent_a.pk))
    dossier.get_by_role("textbox", name="Motif", exact=True).fill("Mobilité à travailler (note interne)")
    dossier.get_by_label("Message pour le prescripteur").fill("Entrée au PLIE, accompagnement renforcé.")
    dossier.get_by_role("button", name=re.compile("^Enregistrer la décision")).click()
    expect(page.get_by_role("article", name="DURAND Amina").locator(".decision-value")).to_have_text("Admis")
    logout(page)
    EntretienFactory(parcours=Parcours.objects.get(pk=parcours.pk), notes="Confidences de l'entretien")

    # 3. the conseiller reads « Admis », the message, and nothing else of her dossier
    login(page, conseiller.email)
    espace = page.get_by_role("region", name="Personnes orientées")
    expect(espace.get_by_role("row", name=re.compile("DURAND Amina"))).to_contain_text("Admis")
    espace.get_by_role("link", name="DURAND Amina").click()
    expect(page.locator(".statut-orientation")).to_have_text("Admis")
    main = page.get_by_role("main")
    expect(main).to_contain_text("Entrée au PLIE, accompagnement renforcé.")
    expect(main).not_to_contain_text("note interne")
    expect(main).not_to_contain_text("Confidences")
    screenshot(page, "61-partenaire-orientation-admise")
    for url in (f"/participants/{parcours.participant_id}/", f"/parcours/{parcours.pk}/"):
        assert page.goto(url).status == 404
