"""The figures of the dashboards (reporting.dashboards) on hand-built data, today being frozen on
15/02/2017 (tests/reporting/conftest.py): every expected figure is counted by hand."""

import datetime
import re
from types import SimpleNamespace

import pytest

from parcours.enums import CategorieSortie as C
from parcours.enums import StatutParcours, TypeAlerte
from parcours.models import Alerte
from reporting import dashboards
from reporting.dashboards import INDICATEURS, LIVE, SNAPSHOT, douze_derniers_mois, parcours_derriere, tableau
from reporting.flux import Periode
from reporting.services import snapshot_refresh
from tests.operations.factories import InscriptionFactory, OperationFactory
from tests.parcours.factories import ParcoursFactory
from tests.reporting.conftest import D, make_parcours

AUJOURDHUI = D(2017, 2, 15)
ANNEE = Periode(D(2017, 1, 1), AUJOURDHUI)


@pytest.fixture
def dashboard_world(world):
    """PLIE A: a stock of 2, 4 entries in 2017, 4 exits in 2017 (one positive validated, one
    positive not validated, one abandon, one neutralised); PLIE B: 1 entry; PLIE C: 1 entry
    (never visible to our personas)."""
    a, b = world.plie_a, world.plie_b
    referent = world.referent_a
    complete = {"statut_emploi": "non"}
    p = SimpleNamespace()
    # stock on 31/12/2016: entered in 2016, still in on 31/12 (one exits in 2017)
    p.stock = make_parcours(a, D(2016, 3, 1), referent=referent, situation=complete)
    p.neutralise = make_parcours(a, D(2016, 5, 1), D(2017, 1, 20), C.NEUTRALISEE)
    # exited in 2016: not in the stock
    make_parcours(a, D(2016, 4, 1), D(2016, 11, 30), C.EMPLOI_DURABLE)
    # entries of 2017
    p.entree_jan = make_parcours(a, D(2017, 1, 10), referent=referent)  # no situation at entry
    p.positif = make_parcours(a, D(2017, 1, 2), D(2017, 2, 10), C.EMPLOI_DURABLE, referent=referent)
    p.non_valide = make_parcours(a, D(2017, 1, 3), D(2017, 2, 5), C.QUALIFIANTE, validee=False)
    p.abandon = make_parcours(a, D(2017, 1, 5), D(2017, 2, 1), C.ABANDON)
    # a candidate never admitted counts nowhere
    p.candidat = ParcoursFactory(participant__plie=a, status=StatutParcours.CANDIDAT)
    p.b = make_parcours(b, D(2017, 1, 15), situation=complete)
    p.c = make_parcours(world.plie_c, D(2017, 1, 16))
    Alerte.objects.create(plie=a, parcours=p.stock, type=TypeAlerte.SANS_CONTACT, computed_on=AUJOURDHUI)
    Alerte.objects.create(plie=a, parcours=p.entree_jan, type=TypeAlerte.SANS_CONTACT, computed_on=AUJOURDHUI)
    Alerte.objects.create(
        plie=a, parcours=p.candidat, type=TypeAlerte.AJOURNEMENT_ECHU, computed_on=AUJOURDHUI
    )
    Alerte.objects.create(
        plie=world.plie_c, parcours=p.c, type=TypeAlerte.SANS_CONTACT, computed_on=AUJOURDHUI
    )
    world.p = p
    return world


# --- Periods (no database) ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("jour", "premier", "dernier"),
    [
        (D(2017, 2, 15), Periode(D(2016, 3, 1), D(2016, 3, 31)), Periode(D(2017, 2, 1), D(2017, 2, 15))),
        (D(2016, 12, 31), Periode(D(2016, 1, 1), D(2016, 1, 31)), Periode(D(2016, 12, 1), D(2016, 12, 31))),
        (D(2017, 1, 1), Periode(D(2016, 2, 1), D(2016, 2, 29)), Periode(D(2017, 1, 1), D(2017, 1, 1))),
    ],
)
def test_twelve_months_end_on_the_day(jour, premier, dernier):
    mois = douze_derniers_mois(jour)
    assert len(mois) == 12
    assert (mois[0], mois[-1]) == (premier, dernier)
    assert all(a.fin + datetime.timedelta(days=1) == b.debut for a, b in zip(mois, mois[1:], strict=False))


def test_month_labels_are_french():
    assert dashboards.libelle_mois(Periode(D(2017, 2, 1), D(2017, 2, 15))) == "févr. 17"
    assert dashboards.libelle_mois(Periode.mois(2016, 8)) == "août 16"


# --- Live figures ------------------------------------------------------------------------------


def test_live_dashboard_of_one_plie(dashboard_world, django_assert_num_queries):
    w = dashboard_world
    # the PLIE, the snapshots (none), the flows, the completeness, the alerts, the operations'
    # completeness, the files actives, the 12-month trends
    with django_assert_num_queries(8):
        t = tableau([w.plie_a.id], aujourdhui=AUJOURDHUI)
    assert (t.source, t.jour, t.periode) == (LIVE, AUJOURDHUI, ANNEE)
    [colonne] = t.colonnes
    assert colonne.plie == w.plie_a
    assert colonne.flux == {
        "en_parcours_debut": 2,  # stock, neutralise
        "entrees": 4,
        "en_parcours_annee": 6,
        "sorties_positives": {"total": 1, "emploi_durable": 1, "qualifiante": 0, "autres": 0},
        # the unvalidated qualifiante is « autres »; the neutralised, the abandon
        "sorties_sans_suite": {"total": 3, "abandons": 1, "neutralisees": 1, "autres": 1},
        "en_parcours_fin": 2,  # stock, entree_jan
        "sorties_par_categorie": {
            "emploi_durable": 1,
            "creation_entreprise": 0,
            "qualifiante": 0,
            "positive_autre": 0,
            "neutralisee": 1,
            "abandon": 1,
            "autre": 0,
            "non_validee": 1,
        },
    }
    assert colonne.sorties == 4
    assert colonne.taux["sorties_positives_sur_sorties"] == 1 / 4
    assert colonne.taux["sorties_positives_hors_neutralisees"] == 1 / 3
    assert colonne.alertes[TypeAlerte.SANS_CONTACT] == 2
    assert colonne.alertes[TypeAlerte.AJOURNEMENT_ECHU] == 1
    assert colonne.total_alertes == 3
    assert colonne.sans_situation_entree == 1  # entree_jan (stock has its questionnaire)
    # files actives today: referent_a has stock and entree_jan
    assert [(row["referent_id"], row["n"]) for row in colonne.files_actives] == [(w.referent_a.id, 2)]
    # one PLIE: the consolidation is the column
    assert t.total.flux == colonne.flux


def test_trends_month_by_month(dashboard_world):
    w = dashboard_world
    t = tableau([w.plie_a.id], aujourdhui=AUJOURDHUI)
    par_mois = {m["mois"].debut: m for m in t.colonnes[0].tendance}
    assert len(par_mois) == 12
    janvier, fevrier, mars = par_mois[D(2017, 1, 1)], par_mois[D(2017, 2, 1)], par_mois[D(2016, 3, 1)]
    assert (janvier["entrees"], janvier["sorties"], janvier["sorties_positives"]) == (4, 1, 0)
    assert janvier["en_parcours"] == 5  # stock + 4 entries on 31/01 (neutralise exited on 20/01)
    assert (fevrier["entrees"], fevrier["sorties"], fevrier["sorties_positives"]) == (0, 3, 1)
    assert fevrier["en_parcours"] == 2  # on 15/02, today
    assert (mars["entrees"], mars["en_parcours"]) == (1, 1)
    novembre = par_mois[D(2016, 11, 1)]
    assert (novembre["sorties"], novembre["sorties_positives"]) == (1, 1)
    assert [g["serie"] for g in t.graphiques] == ["entrees", "sorties", "sorties_positives", "en_parcours"]
    svg = t.graphiques[0]["svg"]
    # twelve months on 520 px: « févr. » over « 17 » (plie.core.charts._libelle_bas)
    assert svg.startswith("<svg") and re.search(r">févr\.</tspan><tspan [^>]*>17</tspan>", svg)


def test_consolidation_sums_the_columns(dashboard_world):
    w = dashboard_world
    t = tableau([w.plie_b.id, w.plie_a.id], aujourdhui=AUJOURDHUI)
    assert [c.plie for c in t.colonnes] == [w.plie_a, w.plie_b]  # by name
    assert t.colonnes[1].flux["entrees"] == 1
    assert t.total.plie is None
    assert t.total.flux["entrees"] == 5
    assert t.total.flux["en_parcours_fin"] == 3
    assert t.total.taux["sorties_positives_sur_entrees"] == 1 / 5
    assert t.total.alertes[TypeAlerte.SANS_CONTACT] == 2  # PLIE C's alert is not ours
    assert t.total.tendance[-2]["entrees"] == 5  # January 2017
    assert t.total.sans_situation_entree == 1


def test_an_empty_perimetre_has_zeros(db):
    t = tableau([], aujourdhui=AUJOURDHUI)
    assert t.colonnes == []
    assert t.total.flux["entrees"] == 0
    assert t.total.taux["sorties_positives_sur_sorties"] is None


def test_operations_completeness_counts_this_years_enrolments(dashboard_world):
    w = dashboard_world
    operation = OperationFactory(plie=w.plie_a, date_debut=D(2017, 1, 1), date_fin=D(2017, 12, 31))
    identite = {
        "participant__plie": w.plie_a,
        "participant__code_commune_naissance": "75056",
        "participant__adresse": "3 rue des Lilas",
        "participant__code_postal": "69001",
        "participant__commune": "Lyon",
        "participant__telephone": "0601020304",
    }
    InscriptionFactory(operation=operation, date_entree=D(2017, 1, 10))  # questionnaire not answered
    InscriptionFactory(operation=operation, complete=True, date_entree=D(2017, 1, 10), **identite)
    # exited on 01/02: the 4 weeks run until 01/03 — exited on 15/01: they ended on 12/02
    InscriptionFactory(
        operation=operation, complete=True, date_entree=D(2017, 1, 2), date_sortie=D(2017, 2, 1), **identite
    )
    InscriptionFactory(
        operation=operation, complete=True, date_entree=D(2017, 1, 2), date_sortie=D(2017, 1, 15), **identite
    )
    ancienne = OperationFactory(plie=w.plie_a, date_debut=D(2015, 1, 1), date_fin=D(2016, 12, 31))
    InscriptionFactory(operation=ancienne, date_entree=D(2016, 1, 10))  # another year
    InscriptionFactory(operation__plie=w.plie_b, date_entree=D(2017, 1, 10))  # another PLIE's operation
    t = tableau([w.plie_a.id], aujourdhui=AUJOURDHUI)
    assert t.colonnes[0].completude_operations == {
        "inscriptions": 4,
        "entrees_incompletes": 1,
        "sorties_a_renseigner": 1,
        "sorties_hors_delai": 1,
    }


# --- Snapshots ---------------------------------------------------------------------------------


def test_todays_snapshot_is_read_instead_of_counting(dashboard_world, django_assert_num_queries):
    w = dashboard_world
    snapshot_refresh(plie_id=w.plie_a.id, jour=AUJOURDHUI)
    make_parcours(w.plie_a, D(2017, 2, 14))  # after the snapshot: not in the snapshot's figures
    # the PLIE, the snapshots, the alerts, the files actives (the operations' completeness and
    # the trends are the snapshot's too)
    with django_assert_num_queries(4):
        t = tableau([w.plie_a.id], aujourdhui=AUJOURDHUI)
    assert (t.source, t.jour) == (SNAPSHOT, AUJOURDHUI)
    assert t.colonnes[0].flux["entrees"] == 4
    assert t.colonnes[0].sans_situation_entree == 1
    assert t.colonnes[0].taux["sorties_positives_sur_sorties"] == 1 / 4


def test_the_snapshot_gives_the_live_figures_of_its_day(dashboard_world):
    """Every figure read from a snapshot is the one counted live on its day; a change made
    after it shows once the nightly job has run again (issue 17)."""
    w = dashboard_world
    operation = OperationFactory(plie=w.plie_a, date_debut=D(2017, 1, 1), date_fin=D(2017, 12, 31))
    InscriptionFactory(operation=operation, participant=w.p.stock.participant, parcours=w.p.stock)
    live = tableau([w.plie_a.id], aujourdhui=AUJOURDHUI)
    snapshot_refresh(plie_id=w.plie_a.id, jour=AUJOURDHUI)
    lu = tableau([w.plie_a.id], aujourdhui=AUJOURDHUI)
    assert (live.source, lu.source) == (LIVE, SNAPSHOT)
    for attribut in ("flux", "taux", "alertes", "sans_situation_entree", "tendance", "completude_operations"):
        assert getattr(lu.colonnes[0], attribut) == getattr(live.colonnes[0], attribut), attribut
    assert lu.colonnes[0].completude_operations["inscriptions"] == 1

    InscriptionFactory(operation=operation)  # after the night: tomorrow's figures
    make_parcours(w.plie_a, D(2017, 2, 14))
    lu = tableau([w.plie_a.id], aujourdhui=AUJOURDHUI)
    assert lu.colonnes[0].completude_operations["inscriptions"] == 1
    assert lu.colonnes[0].tendance[-1]["entrees"] == live.colonnes[0].tendance[-1]["entrees"]
    snapshot_refresh(plie_id=w.plie_a.id, jour=AUJOURDHUI)  # the nightly job runs again
    lu = tableau([w.plie_a.id], aujourdhui=AUJOURDHUI)
    assert lu.colonnes[0].completude_operations["inscriptions"] == 2
    assert lu.colonnes[0].tendance[-1]["entrees"] == live.colonnes[0].tendance[-1]["entrees"] + 1


def test_a_snapshot_without_the_stored_trends_counts_them_live(dashboard_world, django_assert_num_queries):
    w = dashboard_world
    snapshot = snapshot_refresh(plie_id=w.plie_a.id, jour=AUJOURDHUI)
    for cle in ("tendance", "completude_operations"):
        del snapshot.indicateurs[cle]
    type(snapshot).objects.filter(pk=snapshot.pk).update(indicateurs=snapshot.indicateurs)
    live = tableau([w.plie_a.id], aujourdhui=AUJOURDHUI, avec_files_actives=False)
    # the PLIE, the snapshots, the alerts, the operations' completeness, the trends
    with django_assert_num_queries(5):
        t = tableau([w.plie_a.id], aujourdhui=AUJOURDHUI, avec_files_actives=False)
    assert t.source == SNAPSHOT
    assert t.colonnes[0].tendance == live.colonnes[0].tendance


def test_yesterdays_snapshot_sets_the_day_of_the_figures(dashboard_world):
    w = dashboard_world
    hier = AUJOURDHUI - datetime.timedelta(days=1)
    snapshot_refresh(plie_id=w.plie_a.id, jour=hier)
    t = tableau([w.plie_a.id], aujourdhui=AUJOURDHUI)
    assert (t.source, t.jour, t.periode) == (SNAPSHOT, hier, Periode(D(2017, 1, 1), hier))
    assert t.colonnes[0].flux["sorties_positives"]["total"] == 1  # exit of 10/02


def test_older_or_partial_snapshots_are_not_used(dashboard_world):
    w = dashboard_world
    snapshot_refresh(plie_id=w.plie_a.id, jour=AUJOURDHUI - datetime.timedelta(days=2))
    assert tableau([w.plie_a.id], aujourdhui=AUJOURDHUI).source == LIVE
    snapshot_refresh(plie_id=w.plie_a.id, jour=AUJOURDHUI)
    # PLIE B has none: both are counted live, on the same day
    assert tableau([w.plie_a.id, w.plie_b.id], aujourdhui=AUJOURDHUI).source == LIVE


# --- The parcours behind each figure -----------------------------------------------------------


def test_the_list_behind_each_figure_has_the_figures_count(dashboard_world):
    w = dashboard_world
    ids = [w.plie_a.id]
    t = tableau(ids, aujourdhui=AUJOURDHUI)
    c = t.colonnes[0]
    attendus = {
        "entrees": c.flux["entrees"],
        "sorties": c.sorties,
        "sorties_positives": c.flux["sorties_positives"]["total"],
        "abandons": c.flux["sorties_sans_suite"]["abandons"],
        "neutralisees": c.flux["sorties_sans_suite"]["neutralisees"],
        "en_parcours": c.flux["en_parcours_fin"],
        "sans_situation_entree": c.sans_situation_entree,
    }
    assert set(attendus) | {"file_active", "alerte"} == set(INDICATEURS)
    for indicateur, attendu in attendus.items():
        assert parcours_derriere(ids, indicateur, ANNEE).count() == attendu, indicateur
    assert set(parcours_derriere(ids, "entrees", ANNEE)) == {
        w.p.entree_jan,
        w.p.positif,
        w.p.non_valide,
        w.p.abandon,
    }
    assert set(parcours_derriere(ids, "sorties_positives", ANNEE)) == {w.p.positif}
    veille = Periode(ANNEE.veille, ANNEE.veille)
    assert parcours_derriere(ids, "en_parcours", veille).count() == c.flux["en_parcours_debut"]
    for type_alerte, _, n in c.alertes_liste:
        assert parcours_derriere(ids, "alerte", ANNEE, type_alerte=type_alerte).count() == n
    assert set(parcours_derriere(ids, "alerte", ANNEE, type_alerte=TypeAlerte.AJOURNEMENT_ECHU)) == {
        w.p.candidat
    }
    aujourdhui = Periode(AUJOURDHUI, AUJOURDHUI)
    for row in c.files_actives:
        assert (
            parcours_derriere(ids, "file_active", aujourdhui, referent=row["referent_id"]).count() == row["n"]
        )
    # parcours without référent today: none in parcours (entree_jan and stock have one)
    assert parcours_derriere(ids, "file_active", aujourdhui, referent=dashboards.AUCUN_REFERENT).count() == 0
    for mois in c.tendance:
        for serie, _ in dashboards.SERIES:
            periode = (
                mois["mois"]
                if INDICATEURS[serie].sur_periode
                else Periode(mois["mois"].fin, mois["mois"].fin)
            )
            assert parcours_derriere(ids, serie, periode).count() == mois[serie], (serie, periode)


def test_other_plie_never_leak_into_the_lists(dashboard_world):
    w = dashboard_world
    entrees = parcours_derriere([w.plie_a.id], "entrees", ANNEE)
    assert w.p.b not in entrees and w.p.c not in entrees
    alertes = parcours_derriere([w.plie_a.id], "alerte", ANNEE, type_alerte=TypeAlerte.SANS_CONTACT)
    assert w.p.c not in alertes
