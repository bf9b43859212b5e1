"""Periods that close (issue 13, ``reporting.clotures``): a closed month of the monthly report and
a closed year of the bilan give the same figures after the period's data changes, show the
rectificatif with the participants behind each difference, close a version 2 with version 1
kept; immutability, scoping across PLIE, the nightly marking.

Time is frozen on 15/02/2017 (tests/reporting/conftest.py): March 2016 and the year 2016 are
over, February 2017 is not."""

import datetime
import io
import json

import pytest
from django.contrib.admin.sites import site
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.urls import reverse
from openpyxl import load_workbook
from rest_framework.test import APIClient

from parcours.enums import CategorieSortie as C
from parcours.enums import StatutParcours
from parcours.models import Sortie
from plie.core.enums import Role
from plie.core.scoping import scope_for
from reporting import clotures
from reporting.flux import Periode
from reporting.models import Cloture
from reporting.services import cloture_create, clotures_verifier
from tests.factories import MembershipFactory, ParticipantFactory, UserFactory
from tests.parcours.factories import ParcoursFactory, SortieFactory, TypeSortieFactory
from tests.reporting.conftest import TYPES_SORTIE, D, make_parcours

MARS = "2016-03"


def _cdi(plie):
    code, libelle = TYPES_SORTIE[C.EMPLOI_DURABLE]
    return TypeSortieFactory(
        plie=plie,
        code=code,
        libelle=libelle,
        categorie=C.EMPLOI_DURABLE,
        categorie_departement="emploi_durable",
    )


@pytest.fixture
def donnees(world):
    """PLIE A around March 2016:

    - ``stock``: in parcours since 01/06/2015, still in;
    - ``embauche``: entered 10/01/2016, a CDI from 15/03/2016 recorded, not validated yet: the
      parcours is « en suivi dans l'emploi », ``Parcours.date_sortie`` empty;
    - ``abandon``: entered 03/03/2016, exited 20/03/2016 (abandon, validated);
    - PLIE B: one parcours entered in March 2016."""
    plie = world.plie_a
    world.stock = make_parcours(plie, D(2015, 6, 1), nom="Stock")
    participant = ParticipantFactory(plie=plie, nom="Embauche", prenom="Émile")
    world.embauche = ParcoursFactory(
        participant=participant, date_entree=D(2016, 1, 10), status=StatutParcours.EN_SUIVI_EMPLOI
    )
    world.sortie_cdi = SortieFactory(parcours=world.embauche, type=_cdi(plie), date_sortie=D(2016, 3, 15))
    world.abandon = make_parcours(plie, D(2016, 3, 3), D(2016, 3, 20), C.ABANDON, nom="Abandon")
    make_parcours(world.plie_b, D(2016, 3, 2), nom="Voisin")
    return world


def fermer(world, rapport=Cloture.Rapport.MENSUEL, periode=MARS, user=None):
    return cloture_create(
        scope=scope_for(user or world.gestionnaire_a), plie=world.plie_a, rapport=rapport, periode=periode
    )


def actuel(world, rapport=Cloture.Rapport.MENSUEL, periode=MARS):
    return clotures.calculer(world.plie_a, rapport, periode)[0]


def changer_les_donnees(world):
    """After closing: the CDI of March is validated with another date (02/04/2016: the job
    actually began then) and an entry of 05/03/2016 is recorded late (back-dated)."""
    Sortie.objects.filter(pk=world.sortie_cdi.pk).update(
        date_sortie=D(2016, 4, 2), validee=True, date_validation=D(2016, 10, 2)
    )
    type(world.embauche).objects.filter(pk=world.embauche.pk).update(
        date_sortie=D(2016, 4, 2), status=StatutParcours.SORTI
    )
    world.tardif = make_parcours(world.plie_a, D(2016, 3, 5), nom="Tardif", prenom="Théo")


# --- The monthly report's counting rule ---------------------------------------------------------


def test_a_recorded_job_exit_counts_in_the_month_of_hiring_flagged(donnees):
    """The CDI recorded on 15/03 counts in March although the parcours is still in suivi dans
    l'emploi; it is not « en parcours » at the end of March; the bilan does not count it."""
    rapport = actuel(donnees)
    assert rapport["sorties"] == 2  # the CDI (recorded) and the abandon
    assert rapport["en_cours_validation"] == 1
    assert rapport["sorties_en_cours_validation"] == 1
    assert rapport["sorties_positives"]["total"] == 0  # never count an unvalidated job as positive
    assert rapport["sorties_departement"]["emploi_durable"] == 1  # in its class, flagged
    cdi = next(t for t in rapport["sorties_par_type"] if t["code"] == "TEST_CDI")
    assert (cdi["sorties"], cdi["validees"], cdi["en_cours_validation"]) == (1, 0, 1)
    # stock 2 (stock, embauche) + entries 1 (abandon) − exits 2 = 1 at the end
    assert (rapport["en_parcours_debut"], rapport["entrees"], rapport["en_parcours_fin"]) == (2, 1, 1)
    assert "dès qu'elle est enregistrée" in rapport["regle"]
    bilan = actuel(donnees, Cloture.Rapport.BILAN, "2016")
    assert bilan["flux"]["en_parcours_fin"] == 2  # the bilan counts validated exits only
    assert "ne compte que les sorties validées" in bilan["regle"]


def test_a_withdrawn_exit_no_longer_counts(donnees):
    Sortie.objects.filter(pk=donnees.sortie_cdi.pk).delete()  # what sortie_withdraw does to the row
    rapport = actuel(donnees)
    assert (rapport["sorties"], rapport["en_cours_validation"], rapport["en_parcours_fin"]) == (1, 0, 2)


@pytest.mark.parametrize(
    "rapport,periode", [(Cloture.Rapport.MENSUEL, MARS), (Cloture.Rapport.BILAN, "2016")]
)
def test_the_facts_add_up_to_the_figures(donnees, rapport, periode):
    """Each figure the facts cover is the number of parcours that count in it."""
    chiffres, faits = clotures.calculer(donnees.plie_a, rapport, periode)
    plats = clotures.aplatir(chiffres)
    index = clotures.parcours_par_cle(faits)
    assert index  # the facts cover the flow table at least
    for cle, parcours in index.items():
        assert plats[cle] == len(parcours), cle
    # and a figure of the flow table no parcours counts in is 0
    prefixe = "flux." if rapport == Cloture.Rapport.BILAN else ""
    for cle in ("entrees", "en_parcours_fin", "sorties_positives.total", "sorties_sans_suite.abandons"):
        assert plats[prefixe + cle] == len(index.get(prefixe + cle, ())), cle


# --- Closing, serving the stored version, the rectificatif, version 2 ----------------------------


def test_a_closed_month_keeps_its_figures_and_shows_the_rectificatif(client, donnees):
    v1 = fermer(donnees)
    assert (v1.version, v1.cloturee_par, len(v1.empreinte)) == (1, donnees.gestionnaire_a, 64)
    fige = json.loads(json.dumps(v1.chiffres))
    changer_les_donnees(donnees)

    # today's data: the CDI left March, the late entry came in
    maintenant = actuel(donnees)
    assert (maintenant["sorties"], maintenant["entrees"], maintenant["en_cours_validation"]) == (1, 2, 0)
    # every reader gets the stored version: the service, the API, the files
    servi, cloture = clotures.rapport_servi(donnees.plie_a, Cloture.Rapport.MENSUEL, MARS)
    assert cloture == v1 and {k: v for k, v in servi.items() if k != "cloture"} == fige
    api = APIClient()
    api.force_authenticate(donnees.gestionnaire_a)
    reponse = api.get(reverse("api_reporting_mensuel", args=["plie-a", MARS]))
    assert reponse.status_code == 200
    assert (reponse.data["sorties"], reponse.data["entrees"], reponse.data["cloture"]["version"]) == (2, 1, 1)
    # a financeur reads the same stored version, its small counts shown « < 5 »
    api.force_authenticate(donnees.financeur)
    reponse = api.get(reverse("api_reporting_mensuel", args=["plie-a", MARS]))
    assert (reponse.data["sorties"], reponse.data["cloture"]["version"]) == ("< 5", 1)

    client.force_login(donnees.gestionnaire_a)
    page = client.get(reverse("rapports:mensuel") + f"?plie=plie-a&mois={MARS}").content.decode()
    assert "Mois clôturé le" in page and "version 1" in page
    assert 'Sorties dans le mois</th><td class="num">2</td>' in page  # the stored figure
    assert "Rectificatif" in page
    rectif = page[page.index('id="rectificatif"') :]
    ligne_sorties = rectif[rectif.index(">Sorties<") :].split("</tr>")[0]
    assert '<td class="num">2</td><td class="num">1</td>' in ligne_sorties
    assert "EMBAUCHE Émile" in ligne_sorties and "TARDIF" not in ligne_sorties
    ligne_entrees = rectif[rectif.index(">Entrées<") :].split("</tr>")[0]
    assert "TARDIF Théo" in ligne_entrees and "EMBAUCHE" not in ligne_entrees
    lien = reverse("participants:participant_detail", args=[donnees.tardif.participant_id])
    assert f'href="{lien}"' in ligne_entrees
    assert "Clôturer la version 2" in page

    # version 2: today's figures; version 1 kept and downloadable
    client.post(reverse("rapports:cloture_create"), {"plie": "plie-a", "rapport": "mensuel", "periode": MARS})
    v2 = Cloture.objects.get(plie=donnees.plie_a, rapport="mensuel", periode=MARS, version=2)
    assert (v2.chiffres["sorties"], v2.chiffres["entrees"]) == (1, 2)
    page = client.get(reverse("rapports:mensuel") + f"?plie=plie-a&mois={MARS}").content.decode()
    assert 'Sorties dans le mois</th><td class="num">1</td>' in page and "Rectificatif" not in page
    assert "Version 1 — clôturée le" in page and "Version 2 — clôturée le" in page
    csv_v1 = client.get(reverse("rapports:mensuel_export", args=["plie-a", MARS, "csv"]) + "?version=1")
    texte = csv_v1.content.decode("utf-8-sig")
    assert "Sorties dans le mois;2\r\n" in texte and "version 1" in texte
    assert 'filename="reporting-mensuel-plie-a-2016-03-v1.csv"' in csv_v1["Content-Disposition"]
    xlsx = client.get(reverse("rapports:mensuel_export", args=["plie-a", MARS, "xlsx"]))
    flux = {
        r[0]: r[1]
        for r in load_workbook(io.BytesIO(xlsx.content))["Flux du mois"].iter_rows(values_only=True)
    }
    assert flux["Sorties dans le mois"] == 1  # the latest version
    assert (
        client.get(
            reverse("rapports:mensuel_export", args=["plie-a", MARS, "csv"]) + "?version=3"
        ).status_code
        == 404
    )


def test_a_closed_year_keeps_its_bilan(client, donnees, tmp_path):
    v1 = fermer(donnees, Cloture.Rapport.BILAN, "2016")
    changer_les_donnees(donnees)
    maintenant = actuel(donnees, Cloture.Rapport.BILAN, "2016")
    assert maintenant["flux"]["entrees"] == v1.chiffres["flux"]["entrees"] + 1
    assert maintenant["flux"]["sorties_positives"]["total"] == 1

    api = APIClient()
    api.force_authenticate(donnees.direction_a)
    servi = api.get(reverse("api_bilan_annuel", args=["plie-a", 2016])).data
    assert servi["flux"] == v1.chiffres["flux"] and servi["cloture"]["version"] == 1
    # the command and the export jobs too
    sortie = tmp_path / "bilan.json"
    call_command("bilan", "--plie", "plie-a", "--annee", "2016", "--output", str(sortie))
    assert json.loads(sortie.read_text())["flux"] == v1.chiffres["flux"]
    from reporting.jobs import _bilan
    from reporting.models import ExportDemande

    demande = ExportDemande(
        user=donnees.gestionnaire_a,
        kind="bilan_xlsx",
        params={"plie_ids": [donnees.plie_a.pk], "annee": 2016},
    )
    assert _bilan(demande)["flux"] == v1.chiffres["flux"]

    # the rectificatif names the participants behind each difference of the flow table
    rectif = clotures.rectificatif(v1.chiffres, v1.faits, *clotures.calculer(donnees.plie_a, "bilan", "2016"))
    par_cle = {ligne["cle"]: ligne for ligne in rectif}
    assert par_cle["flux.entrees"]["participants"] == [donnees.tardif.participant_id]
    assert par_cle["flux.sorties_positives.total"]["participants"] == [donnees.embauche.participant_id]
    assert par_cle["flux.en_parcours_annee"]["participants"] == [donnees.tardif.participant_id]
    # at the end of 2016: the CDI is now out (validated), the late entry in: 2 either way, no line
    assert "flux.en_parcours_fin" not in par_cle

    v2 = fermer(donnees, Cloture.Rapport.BILAN, "2016")
    assert v2.version == 2
    client.force_login(donnees.gestionnaire_a)
    v1_csv = client.get(reverse("rapports:bilan_export", args=["plie-a", "2016", "json"]) + "?version=1")
    assert json.loads(v1_csv.content)["flux"] == v1.chiffres["flux"]
    dernier = client.get(reverse("rapports:bilan_export", args=["plie-a", "2016", "json"]))
    assert json.loads(dernier.content)["flux"] == v2.chiffres["flux"]


def test_closing_refuses_an_open_period_and_unchanged_data(donnees):
    with pytest.raises(ValidationError, match="n'est pas terminé"):
        fermer(donnees, periode="2017-02")
    with pytest.raises(ValidationError, match="n'est pas terminée"):
        fermer(donnees, Cloture.Rapport.BILAN, "2017")
    with pytest.raises(ValidationError, match="invalide"):
        fermer(donnees, periode="2016-13")
    fermer(donnees)
    with pytest.raises(ValidationError, match="déjà clôturé .version 1. et ses données n'ont pas changé"):
        fermer(donnees)
    assert Cloture.objects.count() == 1


def test_only_a_gestionnaire_or_administrateur_closes(donnees):
    for user in (donnees.referent_a, donnees.direction_a, donnees.financeur, donnees.referent_b):
        with pytest.raises(PermissionDenied):
            fermer(donnees, user=user)
    assert fermer(donnees, user=donnees.admin_a).version == 1


def test_a_stored_version_is_immutable(donnees):
    cloture = fermer(donnees)
    cloture.chiffres["sorties"] = 99
    with pytest.raises(ValueError, match="ne se modifie pas"):
        cloture.save()
    with pytest.raises(ValueError, match="ne se supprime pas"):
        cloture.delete()
    cloture.refresh_from_db()
    assert cloture.chiffres["sorties"] == 2
    admin = site._registry[Cloture]
    assert not admin.has_change_permission(None, cloture)
    assert not admin.has_delete_permission(None, cloture)
    assert not admin.has_add_permission(None)


# --- Scoping --------------------------------------------------------------------------------------


def test_plie_b_sees_nothing_of_a_and_a_financeur_sees_figures_without_names(client, donnees):
    fermer(donnees)
    changer_les_donnees(donnees)
    gestionnaire_b = UserFactory(email="gestion.b@exemple.fr")
    MembershipFactory(user=gestionnaire_b, structure=donnees.plie_b, role=Role.GESTIONNAIRE)

    client.force_login(gestionnaire_b)
    page = client.get(reverse("rapports:clotures")).content.decode()
    assert "PLIE B" in page and "Aucune période clôturée" in page and "plie-a" not in page
    assert client.get(reverse("rapports:clotures") + "?plie=plie-a").status_code == 404
    assert client.get(reverse("rapports:mensuel") + f"?plie=plie-a&mois={MARS}").status_code == 404
    refus = client.post(
        reverse("rapports:cloture_create"), {"plie": "plie-a", "rapport": "mensuel", "periode": MARS}
    )
    assert refus.status_code == 404
    assert client.get(reverse("rapports:bilan_export", args=["plie-a", "2016", "json"])).status_code == 404
    api = APIClient()
    api.force_authenticate(gestionnaire_b)
    assert api.get(reverse("api_reporting_mensuel", args=["plie-a", MARS])).status_code == 404
    assert Cloture.objects.visible_to(scope_for(gestionnaire_b)).count() == 0

    client.force_login(donnees.financeur)
    page = client.get(reverse("rapports:mensuel") + f"?plie=plie-a&mois={MARS}").content.decode()
    # the stored figures, small counts masked for a financeur (plie.core.confidentialite)
    assert 'Sorties dans le mois</th><td class="num">&lt; 5</td>' in page and "Rectificatif" in page
    assert "1 participant" in page
    assert "EMBAUCHE" not in page and "TARDIF" not in page and "/participants/" not in page
    assert "Clôturer" not in page
    assert client.get(reverse("rapports:clotures")).status_code == 403
    refus = client.post(
        reverse("rapports:cloture_create"), {"plie": "plie-a", "rapport": "mensuel", "periode": MARS}
    )
    assert refus.status_code == 403


# --- The nightly check and the Clôtures page -------------------------------------------------------


def test_the_nightly_check_marks_changed_periods_idempotently(donnees):
    mois, annee = fermer(donnees), fermer(donnees, Cloture.Rapport.BILAN, "2016")
    avril = fermer(donnees, periode="2016-04")
    assert clotures_verifier(plie_id=donnees.plie_a.pk) == 0
    assert not Cloture.objects.filter(modifiee_depuis__isnull=False).exists()

    changer_les_donnees(donnees)  # changes March, April (the CDI moves in) and 2016
    nuit = datetime.datetime(2017, 2, 16, 2, 0, tzinfo=datetime.UTC)
    assert clotures_verifier(plie_id=donnees.plie_a.pk, maintenant=nuit) == 3
    assert clotures_verifier(plie_id=donnees.plie_a.pk, maintenant=nuit + datetime.timedelta(days=1)) == 3
    for cloture in (mois, annee, avril):
        cloture.refresh_from_db()
        assert cloture.modifiee_depuis == nuit  # the first night it was seen, kept
    # another PLIE is not touched
    assert clotures_verifier(plie_id=donnees.plie_b.pk) == 0

    fermer(donnees)  # version 2 of March: today's data
    assert clotures_verifier(plie_id=donnees.plie_a.pk, maintenant=nuit) == 2
    assert Cloture.objects.get(periode=MARS, version=2).modifiee_depuis is None


def test_the_nightly_task_checks_the_closures(donnees):
    from reporting.tasks import consolidate_plie

    mois = fermer(donnees)
    changer_les_donnees(donnees)
    consolidate_plie(donnees.plie_a.pk, "2017-02-15")
    consolidate_plie(donnees.plie_a.pk, "2017-02-15")
    mois.refresh_from_db()
    assert mois.modifiee_depuis is not None and mois.verifiee_le is not None


def test_the_closures_page(client, donnees, django_assert_num_queries):
    fermer(donnees)
    fermer(donnees, Cloture.Rapport.BILAN, "2016")
    changer_les_donnees(donnees)
    clotures_verifier(plie_id=donnees.plie_a.pk)
    fermer(donnees)  # March v2
    client.force_login(donnees.direction_a)
    # session, user, the scope (memberships), the visible PLIE, the closures with who closed them
    with django_assert_num_queries(5):
        response = client.get(reverse("rapports:clotures"))
    page = response.content.decode()
    assert response.status_code == 200
    assert "mars 2016" in page and "Version 2 du" in page and "Version 1 du" in page
    assert "Conforme" in page  # March v2 gives today's figures
    assert "Données modifiées depuis le 15/02/2017" in page  # the bilan 2016
    assert 'id="cloturer"' not in page  # direction follows, does not close
    bilan = Cloture.objects.get(rapport="bilan")
    detail = client.get(reverse("rapports:clotures") + f"?detail={bilan.pk}").content.decode()
    assert "Rectificatif" in detail and "TARDIF Théo" in detail

    # the same number of queries with more closures
    fermer(donnees, periode="2016-05")
    fermer(donnees, periode="2016-06")
    with django_assert_num_queries(5):
        client.get(reverse("rapports:clotures"))
    client.force_login(donnees.gestionnaire_a)
    assert 'id="cloturer"' in client.get(reverse("rapports:clotures")).content.decode()


def test_the_bilan_pdf_says_its_rule_and_version(donnees):
    pytest.importorskip("weasyprint")
    from reporting.pdf import bilan_context

    v1 = fermer(donnees, Cloture.Rapport.BILAN, "2016")
    contexte = bilan_context(clotures.servie(v1))
    assert contexte["lignes_face"][0].startswith("Règle de comptage : Une sortie est datée")
    assert "version 1" in contexte["lignes_face"][1]


def test_periode_helpers():
    assert clotures.lire_periode("mensuel", "2016-02") == Periode(D(2016, 2, 1), D(2016, 2, 29))
    assert clotures.lire_periode("bilan", "2016") == Periode.annee(2016)
    with pytest.raises(clotures.PeriodeNonCloturable):
        clotures.lire_periode("bilan", "16")
    assert clotures.aplatir({"a": {"b": 1}, "l": [{"code": "X", "n": 2}, {"code": "", "n": 3}]}) == {
        "a.b": 1,
        "l.X.code": "X",
        "l.X.n": 2,
        "l.1.code": "",
        "l.1.n": 3,
    }
    assert clotures.differences({"statut": "definitif", "a": 1}, {"statut": "provisoire", "a": 2}) == [
        ("a", "a", 1, 2)
    ]
    assert clotures.libelle_cle("flux.sorties_positives.total") == "Sorties positives"
    assert (
        clotures.libelle_cle("sorties_par_type.TEST_CDI.en_cours_validation")
        == "Sorties de type TEST_CDI — en cours de validation"
    )
    assert clotures.libelle_cle("sorties_departement.emploi_durable").startswith(
        "Nomenclature du Département — Emploi durable"
    )
    assert clotures.libelle_cle("taux.abandons_sur_sorties") == "Taux d'abandons"
    assert clotures.libelle_cle("repartitions.sexe.F.entrees") == "repartitions › sexe › F › entrees"


def test_the_command_gives_any_closed_version(donnees, tmp_path):
    v1 = fermer(donnees, Cloture.Rapport.BILAN, "2016")
    changer_les_donnees(donnees)
    fermer(donnees, Cloture.Rapport.BILAN, "2016")
    sortie = tmp_path / "v1.json"
    call_command(
        "bilan", "--plie", "plie-a", "--annee", "2016", "--version-cloturee", "1", "--output", str(sortie)
    )
    assert json.loads(sortie.read_text())["flux"] == v1.chiffres["flux"]
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="Pas de version 3"):
        call_command("bilan", "--plie", "plie-a", "--annee", "2016", "--version-cloturee", "3")


def test_the_pdf_files_of_a_closed_version_say_their_rule_and_version(client, donnees):
    from pypdf import PdfReader

    fermer(donnees)
    fermer(donnees, Cloture.Rapport.BILAN, "2016")
    changer_les_donnees(donnees)
    client.force_login(donnees.financeur)
    mois = client.get(reverse("rapports:mensuel_export", args=["plie-a", MARS, "pdf"]))
    assert mois["Content-Type"] == "application/pdf"
    texte = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(mois.content)).pages)
    assert "Règle de comptage" in texte and "version 1" in texte
    assert "en cours de validation" in texte
    bilan = client.get(reverse("rapports:bilan_export", args=["plie-a", "2016", "pdf"]) + "?version=1")
    pages = PdfReader(io.BytesIO(bilan.content)).pages
    texte = " ".join(page.extract_text() for page in pages)
    assert "Règle de comptage" in texte and "version 1" in texte
    # the cover has no running header: it carries the EU emblem's statement itself (annex IX)
    assert "Cofinancé par l'Union européenne" in pages[0].extract_text()
