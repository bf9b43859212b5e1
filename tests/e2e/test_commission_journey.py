"""A commission session in a real browser: the animateur of PLIE A opens « Commissions », creates a
session, puts a pending candidature on its agenda, records « Admis » (the dossier's card is
swapped in place by htmx), closes the session and downloads the PV, whose text holds the
decision; then enrols the admitted person in the PLIE's current FSE operation from her parcours,
and her référent finds her in « Ma file active ». Every page goes through ``journey.check``
(screenshot under var/screenshots/, axe-core, every link below 400 for the role)."""

import datetime
import io
import re
from pathlib import Path

from django.utils import timezone
from playwright.sync_api import expect
from pypdf import PdfReader

from operations.models import Inscription
from parcours.enums import StatutCommission, StatutParcours
from parcours.models import Commission, Parcours
from plie.core.enums import StructureKind
from tests.e2e.test_login_journey import login, logout, menu
from tests.factories import ParticipantFactory, StructureFactory
from tests.operations.factories import OperationFactory
from tests.parcours.factories import ParcoursFactory


def test_animateur_runs_a_session_and_downloads_the_pv(page, journey, transactional_db, world):
    today = timezone.localdate()
    operation = OperationFactory(
        plie=world.plie_a,
        code="ACC-COM",
        date_debut=datetime.date(today.year, 1, 1),
        date_fin=datetime.date(today.year, 12, 31),
    )
    prescripteur = StructureFactory(kind=StructureKind.PRESCRIPTEUR, nom="France Travail Vénissieux")
    prescripteur.plies.add(world.plie_a)
    candidature = ParcoursFactory(
        participant=ParticipantFactory(plie=world.plie_a, nom="Lefèvre", prenom="Hélène"),
        referent=world.referent_a,
        prescripteur=prescripteur,
        date_orientation=today - datetime.timedelta(days=12),
        projet="Agent de propreté en milieu hospitalier",
    )
    # a candidature of PLIE B is never offered
    ParcoursFactory(participant=ParticipantFactory(plie=world.plie_b, nom="Autreplie"))

    page.goto("/connexion/")
    journey.check("connexion", links=False)
    login(page, world.animateur_a.email)
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    journey.check("accueil-animation")
    menu(page).get_by_role("link", name="Commissions").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Commissions")
    expect(menu(page).get_by_role("link", name="Commissions")).to_have_attribute("aria-current", "page")
    journey.check("commissions")
    page.get_by_role("link", name="Nouvelle session").click()
    journey.check("nouvelle-session")

    page.get_by_label("Date de la session").fill(f"{today:%d/%m/%Y}")
    page.get_by_label("Lieu").fill("Maison de l'emploi, salle 2")
    page.get_by_label("Membres présents").fill(
        "Mme Claire Martin, chargée de mission PLIE\nM. Karim Benali, France Travail"
    )
    page.get_by_role("button", name="Créer la session").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Commission du {today:%d/%m/%Y}")
    expect(page.get_by_role("status")).to_contain_text("inscrivez les dossiers à son ordre du jour")
    journey.check("session-creee")

    # the pending candidature is offered for the agenda; PLIE B's is not
    inscrire = page.get_by_role("region", name="Inscrire des dossiers")
    expect(inscrire).not_to_contain_text("AUTREPLIE")
    inscrire.get_by_label(re.compile("^LEFÈVRE Hélène")).check()
    inscrire.get_by_role("button", name="Inscrire à l'ordre du jour").click()
    expect(page.get_by_role("status")).to_contain_text("1 dossier inscrit à l'ordre du jour.")
    journey.check("ordre-du-jour")

    dossier = page.get_by_role("article", name="LEFÈVRE Hélène")
    expect(dossier).to_contain_text("France Travail Vénissieux")
    expect(dossier).to_contain_text("Agent de propreté en milieu hospitalier")
    # the admission's fields show once « Admis » is chosen (CSS only, no script)
    expect(dossier.get_by_label("Date d'entrée dans le PLIE")).to_be_hidden()
    dossier.get_by_label("Admis", exact=True).check()
    expect(dossier.get_by_label("Date d'entrée dans le PLIE")).to_have_value(f"{today:%d/%m/%Y}")
    expect(dossier.get_by_label("Référent de parcours")).to_have_value(str(world.referent_a.pk))
    expect(dossier.get_by_label("À représenter le")).to_be_hidden()
    dossier.get_by_label("Motif").fill("Projet réaliste ; freins de mobilité à lever.")
    journey.check("decision-a-saisir")
    dossier.get_by_role("button", name=re.compile("^Enregistrer la décision")).click()

    # htmx swapped the card in place: the decision and what it opened
    decided = page.get_by_role("article", name="LEFÈVRE Hélène")
    expect(decided.locator(".decision-value")).to_have_text("Admis")
    expect(decided).to_contain_text(f"Entrée le {today:%d/%m/%Y}")
    expect(decided.get_by_role("button", name=re.compile("^Enregistrer la décision"))).to_have_count(0)
    journey.check("decision-enregistree")

    page.get_by_role("button", name="Clore la session").click()
    expect(page.get_by_role("status")).to_contain_text("close : le procès-verbal est disponible.")
    expect(page.get_by_role("button", name="Clore la session")).to_have_count(0)
    journey.check("session-close")

    with page.expect_download() as download_info:
        page.get_by_role("link", name="Procès-verbal (PDF)").click()
    download = download_info.value
    assert download.suggested_filename == f"pv-commission-{today:%Y-%m-%d}.pdf"
    content = Path(download.path()).read_bytes()
    journey.keep_pdf("proces-verbal", content)
    text = " ".join(page_.extract_text() for page_ in PdfReader(io.BytesIO(content)).pages)
    assert "LEFÈVRE Hélène" in text
    assert "Admis" in text
    assert "Mme Claire Martin" in text
    assert "Cofinancé par l'Union européenne" in text

    candidature.refresh_from_db()
    assert candidature.status == StatutParcours.EN_PARCOURS
    assert candidature.date_entree == today
    assert candidature.referent == world.referent_a
    assert Commission.objects.get().status == StatutCommission.TENUE
    assert Parcours.objects.filter(plie=world.plie_b, status=StatutParcours.CANDIDAT).count() == 1

    # The admitted person, enrolled in the PLIE's current FSE operation from her parcours.
    page.goto(f"/parcours/{candidature.pk}/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("LEFÈVRE Hélène")
    journey.check("parcours-admise")
    # one click: the dossier panel's button (operations.dossier.inscription_fse)
    page.get_by_role("button", name="Inscrire dans ACC-COM").click()
    expect(page.get_by_role("status")).to_be_visible()
    expect(page.get_by_role("button", name="Inscrire dans ACC-COM")).to_have_count(0)
    journey.check("inscription-faite")
    assert Inscription.objects.filter(operation=operation, participant=candidature.participant).count() == 1

    # Her référent finds her in « Ma file active ».
    logout(page)
    journey.check("deconnexion", links=False)
    login(page, world.referent_a.email)
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    journey.check("accueil-referent")
    menu(page).get_by_role("link", name="Ma file active").click()
    expect(page.get_by_role("row").filter(has_text="LEFÈVRE Hélène")).to_contain_text("En parcours")
    journey.check("ma-file-active-referent")
