"""The commission's PDFs: the agenda and the PV, read back with pypdf (decisions and motives in
the text, page numbers, table headers repeated on every page), French typography, and a sample
PV rendered to PNG in tests/artifacts/ for a look at the layout."""

import datetime
import io
import re
import shutil
import subprocess
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from pypdf import PdfReader

from parcours import pdf
from parcours.enums import ObjetPassage, StatutCommission, StatutParcours, TypeDecision
from parcours.models import Decision
from plie.core.enums import StructureKind
from tests.factories import ParticipantFactory, StructureFactory, UserFactory
from tests.parcours.factories import CommissionFactory, ParcoursFactory, SortieFactory, TypeSortieFactory

ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts"
D = datetime.date
NNBSP = "\u202f"


@pytest.fixture(autouse=True)
def frozen_now(time_machine):
    time_machine.move_to(datetime.datetime(2026, 6, 15, 16, 30, tzinfo=ZoneInfo("Europe/Paris")), tick=False)


def pages_text(content):
    """Each page's text, line breaks and runs of spaces folded into one space (the non-breaking
    ones kept)."""
    return [re.sub(r"[ \n]+", " ", page.extract_text()) for page in PdfReader(io.BytesIO(content)).pages]


@pytest.fixture
def tenue(world):
    """A session held on 11/06/2026 with one dossier of each kind of decision."""
    commission = CommissionFactory(
        plie=world.plie_a,
        date=D(2026, 6, 11),
        lieu="Maison de l'emploi, salle 2",
        membres="Mme Claire Martin, chargée de mission PLIE\nM. Karim Benali, France Travail\n"
        "Mme Sophie Leroy, Département (service insertion)",
        status=StatutCommission.TENUE,
    )
    referent = UserFactory(first_name="Julie", last_name="Morel")
    prescripteur = StructureFactory(kind=StructureKind.PRESCRIPTEUR, nom="France Travail Vénissieux")
    mission_locale = StructureFactory(kind=StructureKind.PRESCRIPTEUR, nom="Mission locale Lyon Sud")

    def dossier(nom, prenom, kind, motif="", objet=ObjetPassage.CANDIDATURE, **parcours_fields):
        parcours = ParcoursFactory(
            participant=ParticipantFactory(plie=world.plie_a, nom=nom, prenom=prenom),
            referent=referent,
            prescripteur=prescripteur,
            date_orientation=D(2026, 5, 12),
            **parcours_fields,
        )
        extra = {}
        if kind == TypeDecision.AJOURNE:
            extra["date_representation"] = D(2026, 9, 10)
        if kind == TypeDecision.REORIENTE:
            extra["structure_reorientation"] = mission_locale
        if objet == ObjetPassage.VALIDATION_SORTIE:
            SortieFactory(
                parcours=parcours,
                type=TypeSortieFactory(plie=world.plie_a, positive=True),
                date_sortie=D(2026, 5, 29),
                validee=kind == TypeDecision.SORTIE_VALIDEE,
            )
        return Decision.objects.create(
            commission=commission, parcours=parcours, objet=objet, decision=kind, motif=motif, **extra
        )

    dossier(
        "Lefèvre",
        "Hélène",
        TypeDecision.ADMIS,
        "Projet d'aide-soignante réaliste ; freins de mobilité à lever : permis B.",
        status=StatutParcours.EN_PARCOURS,
        date_commission=D(2026, 6, 11),
        date_entree=D(2026, 6, 15),
        date_signature_contrat=D(2026, 6, 15),
    )
    dossier("Nguyen", "Minh", TypeDecision.AJOURNE, "Projet à préciser avec la référente.")
    dossier("Da Silva", "João", TypeDecision.REFUSE, "Relève de l'accompagnement global du Département.")
    dossier("Martin", "Paul", TypeDecision.REORIENTE, "Moins de 26 ans : suivi par la Mission locale.")
    dossier(
        "Bernard",
        "Sarah",
        TypeDecision.SORTIE_VALIDEE,
        "CDI de 6 mois atteint.",
        objet=ObjetPassage.VALIDATION_SORTIE,
        status=StatutParcours.SORTI,
        date_entree=D(2025, 3, 3),
        date_sortie=D(2026, 5, 29),
    )
    return commission


def test_pv_holds_every_decision_and_motive(tenue):
    (text,) = pages_text(pdf.render_pv(tenue))
    assert "Procès-verbal" in text
    assert "Séance du jeudi 11 juin 2026 — Maison de l'emploi, salle 2" in text
    assert "M. Karim Benali, France Travail" in text
    for name in ("LEFÈVRE Hélène", "NGUYEN Minh", "DA SILVA João", "MARTIN Paul", "BERNARD Sarah"):
        assert name in text
    for label in ("Admis", "Ajourné", "Refusé", "Réorienté", "Sortie validée"):
        assert label in text
    assert "Entrée le 15/06/2026" in text
    assert "À représenter le 10/09/2026" in text
    assert "Vers Mission locale Lyon Sud" in text
    assert f"Projet d'aide-soignante réaliste{NNBSP}; freins de mobilité à lever{NNBSP}: permis B." in text
    assert "Le ou la président(e) de séance" in text
    assert "Page 1\xa0/\xa01" in text
    assert "commission du" in text and "document confidentiel" in text  # the shared page frame


def test_agenda_lists_the_dossiers(tenue):
    (text,) = pages_text(pdf.render_agenda(tenue))
    assert "Ordre du jour" in text
    assert "Dossiers présentés (5)" in text
    assert "France Travail Vénissieux" in text
    assert "Julie Morel" in text
    assert "Validation de sortie" in text and "Candidature" in text


def test_long_pv_repeats_headers_and_numbers_pages(world):
    commission = CommissionFactory(plie=world.plie_a, date=D(2026, 6, 11), status=StatutCommission.TENUE)
    for index in range(45):
        parcours = ParcoursFactory(participant=ParticipantFactory(plie=world.plie_a, nom=f"Nom{index:02d}"))
        Decision.objects.create(
            commission=commission,
            parcours=parcours,
            objet=ObjetPassage.CANDIDATURE,
            decision=TypeDecision.REFUSE,
            motif="Critères d'éligibilité non remplis, à réorienter vers un accompagnement adapté.",
        )
    pages = pages_text(pdf.render_pv(commission))
    assert len(pages) >= 3
    for number, text in enumerate(pages, start=1):
        assert f"Page {number}\xa0/\xa0{len(pages)}" in text
        if number < len(pages):
            assert "Participant" in text and "Motif et suites" in text  # the header on every page
    everything = "\n".join(pages)
    assert all(f"NOM{index:02d}" in everything for index in range(45))


def test_user_text_is_escaped_and_nothing_is_fetched(world):
    commission = CommissionFactory(
        plie=world.plie_a,
        date=D(2026, 6, 11),
        lieu='<img src="http://exemple.invalid/traceur.png">',
        status=StatutCommission.TENUE,
    )
    (text,) = pages_text(pdf.render_pv(commission))
    assert '<img src="http' in text  # shown as text, never fetched


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Motif : projet ; suite ! ok ?", f"Motif{NNBSP}: projet{NNBSP}; suite{NNBSP}! ok{NNBSP}?"),
        ("« Admis »", f"«{NNBSP}Admis{NNBSP}»"),
        ("rendez-vous à 14:30", "rendez-vous à 14:30"),
        ("voir https://exemple.fr", "voir https://exemple.fr"),
        ("déjà  :  espacé", f"déjà{NNBSP}:  espacé"),
        ("", ""),
    ],
)
def test_french_typography(raw, expected):
    assert pdf.typo(raw) == expected


def test_sample_pv_png(tenue):
    """Render the PV to PNG for a look (tests/artifacts/commission-pv-page-1.png)."""
    if shutil.which("pdftoppm") is None:
        pytest.skip("pdftoppm absent")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    for name, content in (("pv", pdf.render_pv(tenue)), ("ordre-du-jour", pdf.render_agenda(tenue))):
        source = ARTIFACTS / f"commission-{name}.pdf"
        source.write_bytes(content)
        subprocess.run(
            ["pdftoppm", "-png", "-r", "60", str(source), str(ARTIFACTS / f"commission-{name}-page")],
            check=True,
        )
        assert (ARTIFACTS / f"commission-{name}-page-1.png").stat().st_size > 10_000
