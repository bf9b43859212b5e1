"""The exit-validation rules (parcours/sorties.py): table-driven, no database."""

import datetime
from decimal import Decimal
from types import SimpleNamespace

import pytest

from parcours.enums import CategorieSortie
from parcours.sorties import (
    FORMATION,
    ContratPeriode,
    add_months,
    compte_comme_positive,
    contrats_of,
    criteres_errors,
    criteres_label,
    date_validable,
    est_positive,
    normalise_employeur,
    validation_status,
)


def d(text):
    """A date written as users write it: jj/mm/aaaa."""
    return datetime.datetime.strptime(text, "%d/%m/%Y").date()


def c(employeur, debut, fin=None, heures=35, type_contrat="cdd"):
    return ContratPeriode(
        employeur=employeur,
        type_contrat=type_contrat,
        debut=d(debut),
        fin=d(fin) if fin else None,
        heures_hebdo=None if heures is None else Decimal(str(heures)),
    )


def formation(debut, fin=None):
    return c("AFPA", debut, fin, heures=None, type_contrat=FORMATION)


def creation(debut, fin=None):
    return c("Ma petite entreprise", debut, fin, heures=None, type_contrat="creation")


# The default referential's rules (parcours/referentiels.py), and single criteria.
CDI = [{"type": "duree_emploi", "mois": 6}]
CDD_MEME = [{"type": "duree_emploi", "mois": 6, "meme_employeur": True}]
H900 = [{"type": "heures_fenetre", "heures": 900, "fenetre_mois": 9, "meme_employeur": True}]
INTERIM = [*H900, {"type": "duree_emploi", "mois": 6}]
DF_6_9 = [{"type": "duree_fenetre", "mois": 6, "fenetre_mois": 9}]
SF_39_12 = [{"type": "semaines_fenetre", "semaines": 39, "fenetre_mois": 12}]
HF_1200_12 = [{"type": "heures_fenetre", "heures": 1200, "fenetre_mois": 12}]
SUCCESSIFS = [*DF_6_9, *SF_39_12, *HF_1200_12]
CREATION = [{"type": "apres_debut", "mois": 6}]
FORMATION_6 = [{"type": "fin_formation", "mois_max": 6}]

# (id, contracts, criteria, expected validable date or None)
CASES = [
    # --- CDI: 6 months in the job, calendar months, day clamped to the month's end
    ("cdi-1er-du-mois", [c("A", "01/09/2025", type_contrat="cdi")], CDI, "01/03/2026"),
    ("cdi-31-aout-fevrier-28", [c("A", "31/08/2025", type_contrat="cdi")], CDI, "28/02/2026"),
    ("cdi-31-aout-bissextile-29", [c("A", "31/08/2023", type_contrat="cdi")], CDI, "29/02/2024"),
    ("cdi-30-novembre", [c("A", "30/11/2025", type_contrat="cdi")], CDI, "30/05/2026"),
    ("cdi-31-mars-septembre-30", [c("A", "31/03/2025", type_contrat="cdi")], CDI, "30/09/2025"),
    ("cdi-fini-juste-a-temps", [c("A", "31/08/2025", "27/02/2026", type_contrat="cdi")], CDI, "28/02/2026"),
    ("cdi-6-mois-pile", [c("A", "01/09/2025", "28/02/2026", type_contrat="cdi")], CDI, "01/03/2026"),
    ("cdi-fini-un-jour-trop-tot", [c("A", "01/09/2025", "27/02/2026", type_contrat="cdi")], CDI, None),
    ("cdi-futur-ouvert", [c("A", "01/03/2026", type_contrat="cdi")], CDI, "01/09/2026"),
    # --- CDD: 6 months with the same employer, chained without a gap
    ("cdd-enchaines-sans-trou", [c("A", "01/01/2025", "31/03/2025"), c("A", "01/04/2025", "30/06/2025")],
     CDD_MEME, "01/07/2025"),
    ("cdd-trou-d-un-jour", [c("A", "01/01/2025", "31/03/2025"), c("A", "02/04/2025", "30/06/2025")],
     CDD_MEME, None),
    ("cdd-trou-puis-6-mois", [c("A", "01/01/2025", "31/03/2025"), c("A", "02/04/2025", "31/12/2025")],
     CDD_MEME, "02/10/2025"),
    ("cdd-employeurs-differents", [c("A", "01/01/2025", "31/03/2025"), c("B", "01/04/2025", "30/06/2025")],
     CDD_MEME, None),
    ("cdi-regle-tout-employeur", [c("A", "01/01/2025", "31/03/2025"), c("B", "01/04/2025", "30/06/2025")],
     CDI, "01/07/2025"),
    ("cdd-employeur-normalise", [c("Intérim Plus", "01/01/2025", "31/03/2025"),
                                 c("  interim   PLUS ", "01/04/2025", "30/06/2025")], CDD_MEME, "01/07/2025"),
    ("cdd-chevauchement", [c("A", "01/01/2025", "30/04/2025"), c("A", "01/04/2025", "30/06/2025")],
     CDD_MEME, "01/07/2025"),
    # --- intérim: 900 h in the same agency over 9 months, or 6 months without gap
    ("interim-900h-une-agence",
     [c("A", "01/01/2025", "31/07/2025", type_contrat="interim")], H900, "30/06/2025"),
    ("interim-regle-complete-900h-d-abord", [c("A", "01/01/2025", "31/07/2025", type_contrat="interim")],
     INTERIM, "30/06/2025"),
    ("interim-deux-agences-900h-non",
     [c("A", "01/01/2025", "31/03/2025"), c("B", "01/04/2025", "30/06/2025")], H900, None),
    ("interim-deux-agences-6-mois-sans-trou",
     [c("A", "01/01/2025", "31/03/2025"), c("B", "01/04/2025", "30/06/2025")], INTERIM, "01/07/2025"),
    ("interim-deux-agences-avec-trou",
     [c("A", "01/01/2025", "31/03/2025"), c("B", "15/04/2025", "30/06/2025")], INTERIM, None),
    ("interim-missions-discontinues-meme-agence",
     [c("A", "01/01/2025", "28/02/2025"), c("A", "10/03/2025", "30/04/2025"),
      c("A", "10/05/2025", "31/07/2025")],
     INTERIM, "18/07/2025"),
    ("interim-temps-partiel-24h", [c("A", "01/01/2025", heures=24)], H900, "21/09/2025"),
    ("interim-temps-partiel-17h30-jamais", [c("A", "01/01/2025", heures=17.5)], H900, None),
    ("interim-chevauchement-meme-agence-compte-une-fois",
     [c("A", "01/01/2025", "30/04/2025"), c("A", "01/03/2025", "30/06/2025")], H900, "30/06/2025"),
    ("interim-heures-inconnues-duree-seule", [c("A", "01/01/2025", heures=None)], INTERIM, "01/07/2025"),
    ("interim-heures-inconnues-900h-jamais", [c("A", "01/01/2025", heures=None)], H900, None),
    # --- successive contracts: 6 months over 9, or 39 weeks / 1,200 h over 12 months
    ("successifs-6-sur-9-avec-trous",
     [c("A", "01/01/2025", "28/02/2025"), c("B", "01/04/2025", "30/05/2025"),
      c("C", "01/07/2025", "31/08/2025")],
     DF_6_9, "31/08/2025"),
    ("successifs-6-sur-9-180-jours-pile", [c("A", "01/01/2025", "29/06/2025")], DF_6_9, "30/06/2025"),
    ("successifs-6-sur-9-179-jours", [c("A", "01/01/2025", "28/06/2025")], DF_6_9, None),
    ("successifs-trop-espaces", [c("A", "01/01/2025", "31/03/2025"), c("B", "01/10/2025", "31/12/2025")],
     DF_6_9, None),
    ("successifs-chevauchement-union",
     [c("A", "01/01/2025", "30/04/2025"), c("B", "01/03/2025", "29/06/2025")], DF_6_9, "30/06/2025"),
    ("successifs-39-semaines-sur-12",
     [c("A", "01/01/2025", "30/06/2025"), c("B", "01/08/2025", "31/10/2025")], SF_39_12, "01/11/2025"),
    ("successifs-1200h-sur-12",
     [c("A", "01/01/2025", "30/04/2025"), c("B", "01/06/2025", "31/08/2025"), c("C", "01/10/2025")],
     HF_1200_12, "29/10/2025"),
    ("successifs-1200h-employeurs-cumules",
     [c("A", "01/01/2025", heures=20), c("B", "01/01/2025", heures=15)], HF_1200_12, "29/08/2025"),
    ("successifs-48h-les-heures-d-abord", [c("A", "01/01/2025", heures=48)], SUCCESSIFS, "25/06/2025"),
    ("successifs-35h-la-duree-d-abord", [c("A", "01/01/2025")], SUCCESSIFS, "30/06/2025"),
    # --- création d'entreprise: 6 months after registration, still running
    ("creation-6-mois", [creation("15/03/2025")], CREATION, "15/09/2025"),
    ("creation-arretee-trop-tot", [creation("15/03/2025", "10/09/2025")], CREATION, None),
    ("creation-tenue-jusqu-a-la-veille", [creation("15/03/2025", "14/09/2025")], CREATION, "15/09/2025"),
    ("creation-un-cdi-n-est-pas-une-creation", [c("A", "01/01/2025", type_contrat="cdi")], CREATION, None),
    # --- formation qualifiante: its end, or 6 months after its start for a long one
    ("formation-courte-sa-fin", [formation("01/09/2025", "30/11/2025")], FORMATION_6, "30/11/2025"),
    ("formation-longue-6-mois", [formation("01/09/2025", "30/06/2026")], FORMATION_6, "01/03/2026"),
    ("formation-sans-fin", [formation("31/08/2025")], FORMATION_6, "28/02/2026"),
    ("formation-ne-compte-pas-comme-emploi", [formation("01/01/2025", "31/12/2025")], CDI, None),
    # --- degenerate inputs
    ("aucun-contrat", [], CDI, None),
    ("aucun-contrat-fenetre", [], SUCCESSIFS, None),
    ("aucun-critere", [c("A", "01/01/2025")], [], None),
    ("critere-mal-forme-jamais-rempli", [c("A", "01/01/2025")], [{"type": "duree_emploi"}], None),
    ("critere-mal-forme-et-valide", [c("A", "01/01/2025")], [{"type": "inconnu"}, *CDI], "01/07/2025"),
    ("contrat-incoherent-ignore", [c("A", "01/06/2025", "01/01/2025")], CDI, None),
]  # fmt: skip


@pytest.mark.parametrize(
    ("contrats", "criteres", "expected"), [case[1:] for case in CASES], ids=[case[0] for case in CASES]
)
def test_date_validable(contrats, criteres, expected):
    assert date_validable(contrats, criteres) == (d(expected) if expected else None)


def test_the_table_has_at_least_30_cases():
    assert len(CASES) >= 30
    assert len({case[0] for case in CASES}) == len(CASES)


def test_contract_order_does_not_matter():
    contrats = [
        c("A", "10/05/2025", "31/07/2025"),
        c("A", "01/01/2025", "28/02/2025"),
        c("A", "10/03/2025", "30/04/2025"),
    ]
    assert date_validable(contrats, INTERIM) == d("18/07/2025")


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        ("31/08/2025", 6, "28/02/2026"),
        ("31/08/2023", 6, "29/02/2024"),
        ("31/01/2025", 1, "28/02/2025"),
        ("15/11/2025", 3, "15/02/2026"),
        ("31/03/2025", -1, "28/02/2025"),
        ("29/02/2024", 12, "28/02/2025"),
        ("30/06/2025", -9, "30/09/2024"),
        ("31/07/2025", -9, "31/10/2024"),
    ],
)
def test_add_months(day, months, expected):
    assert add_months(d(day), months) == d(expected)


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Intérim Plus", "interim plus"),
        ("  ADECCO  Lyon ", "adecco lyon"),
        ("Société Générale", "SOCIETE GENERALE"),
    ],
)
def test_normalise_employeur(a, b):
    assert normalise_employeur(a) == normalise_employeur(b)


def test_different_employers_stay_different():
    assert normalise_employeur("Adecco") != normalise_employeur("Manpower")


@pytest.mark.parametrize(
    ("criteres", "messages"),
    [
        (CDI, []),
        (SUCCESSIFS, []),
        ([], []),
        ({"type": "duree_emploi", "mois": 6},
         ["Les critères s'écrivent comme une liste entre crochets : [ {…}, {…} ]."]),
        ([{"type": "anciennete", "mois": 6}],
         ["Critère n° 1 : type « anciennete » inconnu (types possibles : apres_debut, duree_emploi, "
          "duree_fenetre, fin_formation, heures_fenetre, semaines_fenetre)."]),
        ([{"mois": 6}], ["Critère n° 1 : le type manque (types possibles : apres_debut, duree_emploi, "
                         "duree_fenetre, fin_formation, heures_fenetre, semaines_fenetre)."]),
        ([6],
         ["Critère n° 1 : un critère s'écrit comme un objet, par exemple "
          '{"type": "duree_emploi", "mois": 6}.']),
        ([*CDI, {"type": "duree_emploi"}], ["Critère n° 2 (duree_emploi) : le paramètre « mois » manque."]),
        ([{"type": "duree_emploi", "mois": -6}],
         ["Critère n° 1 (duree_emploi) : « mois » doit être strictement positif."]),
        ([{"type": "duree_emploi", "mois": 0}],
         ["Critère n° 1 (duree_emploi) : « mois » doit être strictement positif."]),
        ([{"type": "duree_emploi", "mois": "6"}],
         ["Critère n° 1 (duree_emploi) : « mois » doit être un nombre entier de mois."]),
        ([{"type": "duree_emploi", "mois": 6.5}],
         ["Critère n° 1 (duree_emploi) : « mois » doit être un nombre entier de mois."]),
        ([{"type": "duree_emploi", "mois": True}],
         ["Critère n° 1 (duree_emploi) : « mois » doit être un nombre entier de mois."]),
        ([{"type": "duree_emploi", "mois": 61}],
         ["Critère n° 1 (duree_emploi) : « mois » ne peut pas dépasser 60 mois."]),
        ([{"type": "duree_emploi", "mois": 6, "meme_employeur": "oui"}],
         ["Critère n° 1 (duree_emploi) : « meme_employeur » doit valoir true ou false."]),
        ([{"type": "duree_emploi", "mois": 6, "meme_employer": True}],
         ["Critère n° 1 (duree_emploi) : paramètre « meme_employer » inconnu pour ce type."]),
        ([{"type": "heures_fenetre", "heures": "900", "fenetre_mois": 9}],
         ["Critère n° 1 (heures_fenetre) : « heures » doit être un nombre d'heures."]),
        ([{"type": "heures_fenetre", "heures": -900, "fenetre_mois": 9}],
         ["Critère n° 1 (heures_fenetre) : « heures » doit être strictement positif."]),
        ([{"type": "heures_fenetre", "heures": 900}],
         ["Critère n° 1 (heures_fenetre) : le paramètre « fenetre_mois » manque."]),
        ([{"type": "duree_fenetre", "mois": 10, "fenetre_mois": 9}],
         ["Critère n° 1 (duree_fenetre) : la durée (10 mois) dépasse la fenêtre (9 mois)."]),
        ([{"type": "semaines_fenetre", "semaines": 39, "fenetre_mois": 6}],
         ["Critère n° 1 (semaines_fenetre) : 39 semaines ne tiennent pas dans une fenêtre de 6 mois."]),
        ([{"type": "apres_debut", "mois": 6, "meme_employeur": True}],
         ["Critère n° 1 (apres_debut) : paramètre « meme_employeur » inconnu pour ce type."]),
        ([{"type": "fin_formation"}], ["Critère n° 1 (fin_formation) : le paramètre « mois_max » manque."]),
    ],
)  # fmt: skip
def test_criteres_errors(criteres, messages):
    assert criteres_errors(criteres) == messages


def test_criteres_label():
    assert criteres_label(INTERIM) == (
        "900 h sur 9 mois glissants chez le même employeur ou 6 mois d'emploi sans interruption"
    )
    assert criteres_label(SUCCESSIFS) == (
        "6 mois d'emploi sur 9 mois glissants ou 39 semaines d'emploi sur 12 mois glissants "
        "ou 1 200 h sur 12 mois glissants"
    )
    assert criteres_label([]) == ""
    assert criteres_label([{"type": "inconnu"}]) == "critère mal formé"


@pytest.mark.parametrize(
    ("categorie", "positive"),
    [
        (CategorieSortie.EMPLOI_DURABLE, True),
        (CategorieSortie.QUALIFIANTE, True),
        (CategorieSortie.POSITIVE_AUTRE, True),
        (CategorieSortie.NEUTRALISEE, False),
        (CategorieSortie.ABANDON, False),
        (CategorieSortie.AUTRE, False),
    ],
)
def test_est_positive(categorie, positive):
    assert est_positive(categorie) is positive


@pytest.mark.parametrize(
    ("categorie", "validee", "counts"),
    [
        (CategorieSortie.EMPLOI_DURABLE, True, True),
        (CategorieSortie.EMPLOI_DURABLE, False, False),  # a job whose rule is not met yet
        (CategorieSortie.QUALIFIANTE, False, False),
        (CategorieSortie.ABANDON, True, False),
    ],
)
def test_compte_comme_positive_never_counts_an_unvalidated_job(categorie, validee, counts):
    sortie = SimpleNamespace(validee=validee, type=SimpleNamespace(categorie=categorie))
    assert compte_comme_positive(sortie) is counts


def _parcours(criteres, *, date_sortie="01/09/2025", validee=False, commission=False, date_validation=None):
    type_sortie = SimpleNamespace(criteres=criteres, commission_requise=commission)
    sortie = SimpleNamespace(
        type=type_sortie,
        date_sortie=d(date_sortie),
        validee=validee,
        date_validation=d(date_validation) if date_validation else None,
    )
    return SimpleNamespace(sortie=sortie)


CDI_SEPT = [c("A", "01/09/2025", type_contrat="cdi")]


@pytest.mark.parametrize(
    ("parcours", "today", "expected"),
    [
        (SimpleNamespace(sortie=None), "01/03/2026", (None, False, False, "Aucune sortie proposée.")),
        (_parcours(CDI), "28/02/2026",
         ("01/03/2026", False, False,
          "Validable à partir du 01/03/2026 (6 mois d'emploi sans interruption).")),
        (_parcours(CDI), "01/03/2026",
         ("01/03/2026", True, False, "Validable depuis le 01/03/2026 (6 mois d'emploi sans interruption).")),
        (_parcours(CDI, commission=True), "02/03/2026",
         ("01/03/2026", True, True,
          "Validable depuis le 01/03/2026 (6 mois d'emploi sans interruption) : à présenter en commission.")),
        (_parcours(CDI, date_sortie="15/04/2026"), "20/04/2026",
         ("15/04/2026", True, False, "Validable depuis le 15/04/2026 (6 mois d'emploi sans interruption).")),
        (_parcours(CREATION), "01/03/2026",
         (None, False, False, "Règle non remplie par les contrats enregistrés "
                              "(6 mois après l'immatriculation (début d'activité)).")),
        (_parcours([], commission=True), "01/09/2025",
         ("01/09/2025", True, True, "Validable depuis le 01/09/2025 : à présenter en commission.")),
        (_parcours(CDI, validee=True, date_validation="02/03/2026"), "10/03/2026",
         ("02/03/2026", False, False, "Sortie déjà validée le 02/03/2026.")),
        (_parcours([{"type": "duree_emploi"}]), "01/03/2026",
         (None, False, False,
          "Règle de validation mal formée : Critère n° 1 (duree_emploi) : le paramètre « mois » manque.")),
    ],
)  # fmt: skip
def test_validation_status(parcours, today, expected):
    status = validation_status(parcours, d(today), contrats=CDI_SEPT)
    date_validable_, validable_now, commission, reason = expected
    assert status.date_validable == (d(date_validable_) if date_validable_ else None)
    assert (status.validable_now, status.commission_requise, status.reason) == (
        validable_now,
        commission,
        reason,
    )


def _naive_first_date(contrats, fenetre_mois, seuil, hours):
    """The window rule written the slow, obvious way: for each date, add up its window day by day."""
    first = min(p.debut for p in contrats)
    last = max(p.fin for p in contrats)
    day = first + datetime.timedelta(days=1)
    while day <= last + datetime.timedelta(days=1):
        total, current = 0, add_months(day, -fenetre_mois)
        while current < day:
            employers = {}
            for p in contrats:
                if p.debut <= current <= p.fin:
                    weight = int(p.heures_hebdo * 10) if hours else 1
                    key = normalise_employeur(p.employeur) if hours else ""
                    employers[key] = max(employers.get(key, 0), weight)
            total += sum(employers.values())
            current += datetime.timedelta(days=1)
        if total >= seuil:
            return day
        day += datetime.timedelta(days=1)
    return None


@pytest.mark.parametrize("seed", range(12))
def test_window_rules_agree_with_a_naive_count(seed):
    import random

    rng = random.Random(seed)
    contrats = []
    start = d("20/12/2023")
    for _ in range(rng.randint(1, 4)):
        start += datetime.timedelta(days=rng.randint(-20, 60))
        fin = start + datetime.timedelta(days=rng.randint(0, 150))
        contrats.append(
            c(rng.choice("AB"), f"{start:%d/%m/%Y}", f"{fin:%d/%m/%Y}", heures=rng.choice([20, 35, 39]))
        )
    heures = date_validable(contrats, [{"type": "heures_fenetre", "heures": 600, "fenetre_mois": 6}])
    assert heures == _naive_first_date(contrats, 6, 600 * 70, hours=True)
    jours = date_validable(contrats, [{"type": "duree_fenetre", "mois": 3, "fenetre_mois": 5}])
    assert jours == _naive_first_date(contrats, 5, 90, hours=False)


# --- from the database (the only functions here that read it) -------------------------------------


@pytest.mark.django_db
def test_contrats_of_reads_contracts_and_trainings(django_assert_num_queries):
    from parcours.enums import CategorieEtape, TypeContrat
    from parcours.models import TypeSortie
    from plie.core.enums import StructureKind
    from tests.factories import StructureFactory
    from tests.parcours.factories import (
        ContratFactory,
        EtapeFactory,
        ParcoursFactory,
        SortieFactory,
        TypeEtapeFactory,
    )

    parcours = ParcoursFactory(en_parcours=True)
    ContratFactory(etape__parcours=parcours, employeur="Boulangerie", date_debut=d("01/04/2026"))
    ContratFactory(
        etape__parcours=parcours,
        employeur="Adecco",
        type_contrat=TypeContrat.INTERIM,
        heures_hebdo=Decimal("24.5"),
        date_debut=d("01/02/2026"),
        date_fin_prevue=d("31/03/2026"),
    )
    ContratFactory(
        etape__parcours=parcours,
        employeur="Manpower",
        type_contrat=TypeContrat.CDD,
        date_debut=d("03/02/2026"),
        date_fin_prevue=d("30/06/2026"),
        date_fin=d("10/02/2026"),
    )
    ContratFactory(
        etape__parcours=parcours,
        etape__type=TypeEtapeFactory(categorie=CategorieEtape.CREATION_ENTREPRISE),
        employeur="Mon atelier",
        type_contrat=TypeContrat.CDI,
        heures_hebdo=None,
        date_debut=d("01/05/2026"),
    )
    organisme = StructureFactory(kind=StructureKind.OPERATEUR, nom="AFPA")
    EtapeFactory(
        parcours=parcours,
        type=TypeEtapeFactory(categorie=CategorieEtape.FORMATION_QUALIFIANTE),
        operateur=organisme,
        date_debut=d("05/02/2026"),
        date_fin_prevue=d("30/09/2026"),
    )
    EtapeFactory(parcours=parcours, type=TypeEtapeFactory(categorie=CategorieEtape.MOBILISATION))
    ContratFactory(employeur="Un autre parcours")
    with django_assert_num_queries(1):  # the étapes with their contract, type and opérateur
        periodes = contrats_of(parcours)
    assert periodes == [
        ContratPeriode("Adecco", "interim", d("01/02/2026"), d("31/03/2026"), Decimal("24.5")),
        ContratPeriode("Manpower", "cdd", d("03/02/2026"), d("10/02/2026"), Decimal("35")),
        ContratPeriode("AFPA", FORMATION, d("05/02/2026"), d("30/09/2026"), None),
        ContratPeriode("Boulangerie", "cdi", d("01/04/2026"), None, Decimal("35")),
        ContratPeriode("Mon atelier", "creation", d("01/05/2026"), None, None),
    ]
    sortie = SortieFactory(
        parcours=parcours,
        type=TypeSortie.objects.get(plie=parcours.plie, code="CDI"),
        date_sortie=d("01/04/2026"),
    )
    parcours.sortie = sortie
    # The CDI rule counts continuous employment with any employer: intérim from 01/02, then the CDI.
    status = validation_status(parcours, d("01/08/2026"))
    assert (status.date_validable, status.validable_now) == (d("01/08/2026"), True)
    assert not validation_status(parcours, d("31/07/2026")).validable_now
