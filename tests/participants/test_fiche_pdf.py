"""The printable fiche: scoped like the dossier, sensitive answers only for référent/animation,
one A4 page for a typical participant, and WeasyPrint never reaching the network."""

import datetime
import io
import shutil
import subprocess
from pathlib import Path

import pytest
import time_machine
from django.urls import reverse
from pypdf import PdfReader

from participants.models import Frein, SituationEntree
from participants.pdf import StaticOnlyFetcher, fse_answers, render_fiche
from plie.core.scoping import scope_for
from tests.factories import DocumentFactory, ParticipantFactory

ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts"
NOW = datetime.datetime(2026, 2, 9, 14, 30, tzinfo=datetime.UTC)
D = datetime.date


def typical_participant(plie, **fields):
    """Marie Dupont, entered on 05/01/2026, with a full questionnaire (RQTH: yes), four freins
    (one about health, one lifted) and two documents (one of them the RQTH proof)."""
    participant = ParticipantFactory(
        plie=plie,
        nom="Dupont",
        prenom="Marie",
        nom_naissance="Bernard",
        sexe="F",
        date_naissance=D(1985, 3, 14),
        commune_naissance="Lyon",
        code_commune_naissance="69123",
        nationalite="fr",
        adresse="3 rue des Lilas",
        code_postal="69008",
        commune="Lyon",
        qpv=True,
        telephone="06 12 34 56 78",
        email="marie.dupont@exemple.fr",
        situation_familiale="separe",
        enfants_a_charge=2,
        identifiant_france_travail="1234567A",
        numero_caf="7654321",
        **fields,
    )
    SituationEntree.objects.create(
        participant=participant,
        date_entree=D(2026, 1, 5),
        date_questionnaire=D(2026, 1, 5),
        statut_emploi="non",
        en_formation=False,
        recherche_emploi=True,
        duree_recherche_mois=14,
        niveau_formation="2c",
        handicap_reconnu=True,
        minima_sociaux=True,
        beneficiaire_rsa=True,
        sans_domicile="non",
        parent_ne_etranger="nsp",
        menage_sans_emploi=True,
        menage_enfants=True,
        menage_monoparental=True,
    )
    Frein.objects.bulk_create(
        [
            Frein(
                participant=participant,
                type="mobilite",
                precision="Pas de permis B",
                date_identification=D(2026, 1, 5),
            ),
            Frein(participant=participant, type="garde_enfants", date_identification=D(2026, 1, 5)),
            Frein(
                participant=participant,
                type="sante",
                precision="Suivi médical",
                date_identification=D(2026, 1, 5),
            ),
            Frein(
                participant=participant,
                type="numerique",
                precision="Atelier numérique suivi",
                date_identification=D(2026, 1, 5),
                date_levee=D(2026, 2, 2),
            ),
        ]
    )
    DocumentFactory(participant=participant, nom_original="Carte d'identité.pdf")
    DocumentFactory(participant=participant, rqth=True)
    return participant


def pdf_text(content):
    """Page count and text, every run of white space (line breaks, the non-breaking spaces of
    French typography) read as one plain space."""
    reader = PdfReader(io.BytesIO(content))
    text = " ".join(page.extract_text() for page in reader.pages)
    return len(reader.pages), " ".join(text.split())


def fiche_url(participant):
    return reverse("participants:fiche_pdf", args=[participant.pk])


@time_machine.travel(NOW, tick=False)
def test_referent_gets_a_one_page_fiche(client, world, django_assert_num_queries):
    participant = typical_participant(world.plie_a)
    client.force_login(world.referent_a)
    # session, user, memberships (scope), participant + PLIE, its situations (prefetch),
    # the freins it may see, the documents it may see, the access journal's row
    with django_assert_num_queries(8):
        response = client.get(fiche_url(participant))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == f'inline; filename="fiche-{participant.pk}.pdf"'  # no name
    assert response["Cache-Control"] == "private, no-store"
    assert response["X-Content-Type-Options"] == "nosniff"

    pages, text = pdf_text(response.content)
    assert pages == 1
    for expected in (
        "PLIE A",
        "DUPONT Marie",
        "Née le 14/03/1985",
        "40 ans à l'entrée dans le PLIE",
        "Entrée le 05/01/2026 — questionnaire rempli le 05/01/2026",
        "éditée le 09/02/2026 à 15:30",
        # answers with their FSE codes
        "Non, sans emploi",
        "14 mois",
        "2c. Bac, CAP, BEP",
        "Ne souhaite pas répondre",
        # categories, the sensitive one included
        "DELD",
        "BRSA",
        "TH / BOETH",
        "QPV",
        # freins and documents
        "Mobilité",
        "Pas de permis B",
        "Santé",
        "Numérique",
        "02/02/2026",
        "Carte d'identité.pdf",
        "Notification RQTH.pdf",
        "Document confidentiel — données personnelles",
        "Page 1 / 1",
    ):
        assert expected in text, expected
    assert "Réponses manquantes" not in text
    assert "Renseigné (donnée sensible" not in text


def test_gestionnaire_gets_the_fiche_without_sensitive_data(world):
    participant = typical_participant(world.plie_a)
    _, text = pdf_text(render_fiche(participant, scope_for(world.gestionnaire_a)))
    assert "DUPONT Marie" in text
    assert "14/03/1985" in text
    assert "Renseigné (donnée sensible, non affichée)" in text  # Q3 is answered, not shown
    assert "TH / BOETH" not in text
    assert "Santé" not in text
    assert "Suivi médical" not in text
    assert "Notification RQTH.pdf" not in text
    assert "Carte d'identité.pdf" in text
    assert "Mobilité" in text
    assert "Les données sensibles (handicap, santé, justice) ne figurent pas sur cette fiche" in text


def test_the_disability_answer_itself_is_only_for_referent_and_animation(world):
    participant = typical_participant(world.plie_a)
    situation = participant.situation_entree
    q3 = {code: answer for code, _, answer in fse_answers(situation, sensitive=True)}["Q3"]
    hidden = {code: answer for code, _, answer in fse_answers(situation, sensitive=False)}["Q3"]
    assert (q3, hidden) == ("Oui", "Renseigné (donnée sensible, non affichée)")
    situation.handicap_reconnu = None
    assert {c: a for c, _, a in fse_answers(situation, sensitive=False)}["Q3"] is None


def test_missing_answers_are_listed(world):
    participant = ParticipantFactory(plie=world.plie_a, nom="Martin", prenom="Léo", sexe="M")
    _, text = pdf_text(render_fiche(participant, scope_for(world.referent_a)))
    assert "MARTIN Léo" in text
    assert "Né le 14/03/1985" in text
    assert "Questionnaire d'entrée non commencé." in text
    assert "Réponses manquantes ou incohérentes" in text
    assert "Commune de naissance (code, 99999 si à l'étranger) : réponse manquante." in text
    assert "Aucun frein identifié." in text
    assert "Aucune pièce déposée." in text


def test_unanswered_questions_show_their_code(world):
    participant = ParticipantFactory(plie=world.plie_a)
    SituationEntree.objects.create(participant=participant, date_entree=D(2026, 1, 5), niveau_formation="2b")
    _, text = pdf_text(render_fiche(participant, scope_for(world.referent_a)))
    assert "2b. Primaire, collège, brevet" in text
    assert "Non renseigné" in text
    assert "Q1. Statut sur le marché du travail : réponse manquante." in text


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("animateur_a", 200),
        ("gestionnaire_a", 200),
        ("direction_a", 200),
        ("oi_user", 404),  # an OI membership: aggregates only (plie.core.scoping)
        ("referent_b", 404),
        ("referent_operateur", 404),
        ("financeur", 404),
        ("no_role", 404),
    ],
)
def test_who_may_print_the_fiche(client, world, persona, status):
    participant = ParticipantFactory(plie=world.plie_a)
    client.force_login(getattr(world, persona))
    assert client.get(fiche_url(participant)).status_code == status


def test_anonymous_is_sent_to_login(client, world):
    participant = ParticipantFactory(plie=world.plie_a)
    response = client.get(fiche_url(participant))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


# --- no network -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "http://example.com/logo.png",
        "https://cdn.example.com/style.css",
        "ftp://example.com/x",
        "file:///etc/passwd",
        "file:///work/../etc/hostname",
    ],
)
def test_the_fetcher_refuses_anything_outside_static(url):
    with pytest.raises(ValueError, match="refusé"):
        StaticOnlyFetcher().fetch(url)


def test_the_fetcher_serves_static_files_and_data_urls(settings):
    css = Path(settings.BASE_DIR) / "static" / "css" / "plie.css"
    response = StaticOnlyFetcher().fetch(css.as_uri())
    assert response.read().startswith(b"/* PLIE")
    response.close()
    assert StaticOnlyFetcher().fetch("data:text/plain,ok").read() == b"ok"


def test_rendering_never_opens_a_network_connection(world, monkeypatch):
    import socket

    def no_network(*args, **kwargs):
        raise AssertionError("connexion réseau pendant le rendu de la fiche")

    monkeypatch.setattr(socket.socket, "connect", no_network)
    monkeypatch.setattr(socket, "create_connection", no_network)
    participant = ParticipantFactory(plie=world.plie_a, nom='<img src="http://example.com/x.png">')
    pages, text = pdf_text(render_fiche(participant, scope_for(world.referent_a)))
    assert pages == 1
    assert '<IMG SRC="HTTP://EXAMPLE.COM/X.PNG">' in text  # escaped, printed as text


# --- a sample for the eye -----------------------------------------------------------------------


@time_machine.travel(NOW, tick=False)
def test_save_a_sample_fiche(world):
    """Writes tests/artifacts/fiche-participant.pdf (and a PNG when poppler is installed) to be
    looked at, like the browser tests' screenshots."""
    participant = typical_participant(world.plie_a)
    incomplete = ParticipantFactory(plie=world.plie_a, nom="Martin", prenom="Léo", sexe="M")
    SituationEntree.objects.create(participant=incomplete, date_entree=D(2026, 1, 5), statut_emploi="1c")
    ARTIFACTS.mkdir(exist_ok=True)
    for name, who, user in (
        ("referent", participant, world.referent_a),
        ("gestionnaire", participant, world.gestionnaire_a),
        ("incomplet", incomplete, world.referent_a),
    ):
        pdf = ARTIFACTS / f"fiche-participant-{name}.pdf"
        pdf.write_bytes(render_fiche(who, scope_for(user)))
        if shutil.which("pdftoppm"):
            subprocess.run(
                ["pdftoppm", "-png", "-r", "60", "-singlefile", pdf, pdf.with_suffix("")], check=True
            )
            assert pdf.with_suffix(".png").stat().st_size > 0
