"""The printed proofs of realisation, read back with pypdf: the feuille d'émargement (FSE mention,
session, participants, signature columns, header repeated on every page), the attestations of a
collective session and of an étape, and the entretiens extraction."""

import datetime
import io
import re
from zoneinfo import ZoneInfo

import pytest
from pypdf import PdfReader

from operations import pdf
from plie.core.enums import StructureKind
from plie.core.scoping import scope_for
from tests.factories import ParticipantFactory, StructureFactory, UserFactory
from tests.operations.factories import (
    ActionCollectiveFactory,
    InscriptionFactory,
    OperationFactory,
    PresenceFactory,
)
from tests.parcours.factories import EntretienFactory, EtapeFactory, ParcoursFactory, TypeEtapeFactory

D = datetime.date
T = datetime.time


@pytest.fixture(autouse=True)
def frozen_now(time_machine):
    time_machine.move_to(datetime.datetime(2026, 6, 15, 16, 30, tzinfo=ZoneInfo("Europe/Paris")), tick=False)


def pages_text(content):
    return [re.sub(r"[ \n]+", " ", page.extract_text()) for page in PdfReader(io.BytesIO(content)).pages]


@pytest.fixture
def operation(world):
    return OperationFactory(plie=world.plie_a, code="ACC-2026-A", intitule="Accompagnement renforcé")


def test_emargement_single_column(operation):
    action = ActionCollectiveFactory(operation=operation, heure_debut=T(9, 30), heure_fin=T(12, 0))
    people = [ParticipantFactory(plie=operation.plie, nom=nom, prenom="Alex") for nom in ("Durand", "Petit")]
    (text,) = pages_text(pdf.render_emargement(action, people))
    assert "Action cofinancée par le Fonds social européen" in text
    assert "Feuille d'émargement" in text
    assert "ACC-2026-A — Accompagnement renforcé" in text
    assert "Atelier CV et lettre de motivation" in text
    assert "12/03/2026, de 9h30 à 12h00" in text
    assert "Maison de l'emploi, salle 2" in text
    assert "Claire Martin" in text
    assert "NOM Prénom Signature" in text
    assert "1 DURAND Alex" in text and "2 PETIT Alex" in text
    assert "Matin" not in text
    assert "L'animateur ou l'animatrice" in text
    assert "2 participants inscrits" in text
    assert "Page 1\xa0/\xa01" in text


def test_emargement_morning_and_afternoon_repeats_header(operation):
    action = ActionCollectiveFactory(operation=operation, heure_debut=T(9, 0), heure_fin=T(16, 30))
    people = [
        ParticipantFactory(plie=operation.plie, nom=f"Nom{index:02d}", prenom="Alex") for index in range(40)
    ]
    pages = pages_text(pdf.render_emargement(action, people))
    assert len(pages) >= 2
    for page in pages:
        assert "NOM Prénom Matin Après-midi" in page
        assert "Action cofinancée par le Fonds social européen" in page
    assert "NOM39 Alex" in " ".join(pages)
    assert f"Page {len(pages)}\xa0/\xa0{len(pages)}" in pages[-1]


@pytest.mark.parametrize(
    ("debut", "fin", "colonnes", "duree"),
    [
        (T(9, 0), T(12, 0), ["Signature"], "3h00"),
        (T(9, 0), T(17, 0), ["Matin", "Après-midi"], "8h00"),
        (T(14, 0), T(16, 30), ["Signature"], "2h30"),
        (None, None, ["Signature"], ""),
        (T(9, 0), None, ["Signature"], ""),
    ],
)
def test_demi_journees_and_duree(debut, fin, colonnes, duree):
    action = ActionCollectiveFactory.build(heure_debut=debut, heure_fin=fin)
    assert pdf.demi_journees(action) == colonnes
    assert pdf.duree_heures(action) == duree


def test_attestation_action(operation):
    action = ActionCollectiveFactory(operation=operation, compte_rendu="Travail sur les CV : 6 présents.")
    inscription = InscriptionFactory(
        operation=operation, participant__nom="Durand", participant__prenom="Alex"
    )
    presence = PresenceFactory(action=action, participant=inscription.participant, present=True)
    (text,) = pages_text(
        pdf.render_attestation_action(action, inscription.participant, presence, inscription)
    )
    assert "Attestation de réalisation" in text
    assert "Action cofinancée par le Fonds social européen" in text
    assert "DURAND Alex" in text and "né(e) le 14/03/1985" in text
    assert "a participé à l'action collective" in text
    assert "ACC-2026-A — Accompagnement renforcé" in text
    assert "depuis le 02/02/2026" in text
    assert "12/03/2026, de 9h30 à 12h00" in text
    assert "Durée 2h30" in text
    assert "Présence Présent(e)" in text
    assert "Travail sur les CV" in text
    assert "Fait le 15/06/2026" in text
    assert "Pour le PLIE A" in text


def test_attestation_action_absent(operation):
    action = ActionCollectiveFactory(operation=operation)
    inscription = InscriptionFactory(operation=operation)
    presence = PresenceFactory(action=action, participant=inscription.participant, present=False)
    (text,) = pages_text(
        pdf.render_attestation_action(action, inscription.participant, presence, inscription)
    )
    assert "a été inscrit(e) à l'action collective" in text
    assert "Présence Absent(e)" in text


def test_attestation_etape(operation):
    operateur = StructureFactory(kind=StructureKind.OPERATEUR, nom="Association Tremplin")
    parcours = ParcoursFactory(participant__plie=operation.plie, participant__nom="Petit", en_parcours=True)
    inscription = InscriptionFactory(
        operation=operation, participant=parcours.participant, date_sortie=D(2026, 9, 30)
    )
    etape = EtapeFactory(
        parcours=parcours,
        type=TypeEtapeFactory(libelle="Formation qualifiante"),
        operateur=operateur,
        date_debut=D(2026, 3, 2),
        date_fin=D(2026, 5, 29),
        resultat="Titre professionnel obtenu",
    )
    (text,) = pages_text(pdf.render_attestation_etape(etape, inscription))
    assert "a réalisé l'étape de parcours" in text
    assert "Type d'étape Formation qualifiante" in text
    assert "Opérateur Association Tremplin" in text
    assert "Début 02/03/2026" in text and "Fin 29/05/2026" in text
    assert "Résultat Titre professionnel obtenu" in text
    assert "depuis le 02/02/2026 jusqu'au 30/09/2026" in text
    assert "ACC-2026-A" in text


def test_attestation_etape_without_enrolment(operation):
    etape = EtapeFactory(parcours__participant__plie=operation.plie, date_debut=D(2026, 3, 2))
    (text,) = pages_text(pdf.render_attestation_etape(etape, None))
    assert "Aucune inscription à une opération cofinancée ne couvre cette date." in text
    assert "en cours" in text


def test_entretiens_pdf(operation, world):
    referent = UserFactory(first_name="Léa", last_name="Alves")
    parcours = ParcoursFactory(
        participant__plie=operation.plie, participant__nom="Martin", en_parcours=True, referent=referent
    )
    InscriptionFactory(operation=operation, participant=parcours.participant)
    EntretienFactory(parcours=parcours, date=D(2026, 3, 5), duree_minutes=60, notes="NOTE PRIVEE")
    EntretienFactory(parcours=parcours, date=D(2026, 4, 5), duree_minutes=30)
    (text,) = pages_text(
        pdf.render_entretiens(operation, scope_for(world.gestionnaire_a), D(2026, 1, 1), D(2026, 6, 30))
    )
    assert "Entretiens de suivi par référent" in text
    assert "du 01/01/2026 au 30/06/2026" in text
    assert "ALVES Léa" in text
    assert "MARTIN" in text and "05/03/2026" in text and "60 min" in text
    assert "2 entretiens, 1 participant" in text
    assert "90 min" in text
    assert "NOTE PRIVEE" not in text
    (empty,) = pages_text(pdf.render_entretiens(operation, scope_for(world.referent_b)))
    assert "Aucun entretien sur la période." in empty
    assert "toute la durée de l'opération" in empty


def test_footer_is_safe_in_css(operation):
    action = ActionCollectiveFactory(operation=operation, intitule='Atelier "l\'emploi" <b>')
    (text,) = pages_text(pdf.render_emargement(action, []))
    assert "Feuille d\u2019émargement — ACC-2026-A — Atelier l\u2019emploi b — 12/03/2026" in text
    assert "&#x27;" not in text
