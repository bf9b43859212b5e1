"""The exit-validation rules (parcours/sorties.py): table-driven, no database."""

import datetime
from decimal import Decimal
from types import SimpleNamespace

import pytest

from parcours import referentiels
from parcours.enums import CategorieSortie
from parcours.sorties import (
    FORMATION,
    ContratPeriode,
    add_months,
    compte_comme_positive,
    contrats_of,
    critere_met,
    criteres_errors,
    criteres_label,
    date_validable,
    est_positive,
    months_done_on,
    normalise_employeur,
    validation_status,
    window_days_range,
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


# Single criteria, and the default referential's rules (parcours/referentiels.py).
DUREE_6 = [{"type": "duree_emploi", "mois": 6}]
CDI = list(referentiels.CDI)
CDD_MEME = list(referentiels.CDD_6M)
H900 = [{"type": "heures_fenetre", "heures": 900, "fenetre_mois": 9, "meme_employeur": True}]
INTERIM = list(referentiels.INTERIM)
DF_6_9 = [{"type": "duree_fenetre", "mois": 6, "fenetre_mois": 9}]
SF_39_12 = [{"type": "semaines_fenetre", "semaines": 39, "fenetre_mois": 12}]
HF_1200_12 = [{"type": "heures_fenetre", "heures": 1200, "fenetre_mois": 12}]
SUCCESSIFS = list(referentiels.SUCCESSIFS)
AIDE = list(referentiels.CONTRAT_AIDE)  # 12 months, same employer, 20 h a week at least
AIDE_TOUT_EMPLOYEUR = [{"type": "duree_emploi", "mois": 12, "heures_hebdo_min": 20}]
ETTI = list(referentiels.ETTI)
SF_39_12_20H = [{"type": "semaines_fenetre", "semaines": 39, "fenetre_mois": 12, "heures_hebdo_min": 20}]
DUREE_12 = [{"type": "duree_emploi", "mois": 12}]
CREATION = list(referentiels.CREATION)
FORMATION_6 = list(referentiels.FORMATION)

# (id, contracts, criteria, exit date E, expected validable date or None). Each case is also
# checked day by day around the expected date (test_the_rule_is_met_from_that_day_only).
CASES = [
    # --- CDI: 6 months in the CDI (so with its employer), calendar months counted back from V
    ("cdi-1er-du-mois", [c("A", "01/09/2025", type_contrat="cdi")], CDI, "01/09/2025", "01/03/2026"),
    ("cdi-15-du-mois", [c("A", "15/01/2026", type_contrat="cdi")], CDI, "15/01/2026", "15/07/2026"),
    # from a month-end day, 6 months are done on the 1st after the clamped date (not 28/02)
    ("cdi-31-aout-1er-mars", [c("A", "31/08/2025", type_contrat="cdi")], CDI, "31/08/2025", "01/03/2026"),
    ("cdi-31-aout-2027-pas-le-29-fevrier-2028", [c("A", "31/08/2027", type_contrat="cdi")], CDI,
     "31/08/2027", "01/03/2028"),
    ("cdi-29-aout-2027-le-29-fevrier-2028", [c("A", "29/08/2027", type_contrat="cdi")], CDI,
     "29/08/2027", "29/02/2028"),
    ("cdi-30-novembre", [c("A", "30/11/2025", type_contrat="cdi")], CDI, "30/11/2025", "30/05/2026"),
    ("cdi-31-mars-1er-octobre", [c("A", "31/03/2025", type_contrat="cdi")], CDI, "31/03/2025", "01/10/2025"),
    ("cdi-6-mois-pile", [c("A", "01/09/2025", "28/02/2026", type_contrat="cdi")], CDI, "01/09/2025",
     "01/03/2026"),
    ("cdi-fini-un-jour-trop-tot", [c("A", "01/09/2025", "27/02/2026", type_contrat="cdi")], CDI,
     "01/09/2025", None),
    ("cdi-31-aout-fini-le-28-fevrier", [c("A", "31/08/2025", "28/02/2026", type_contrat="cdi")], CDI,
     "31/08/2025", "01/03/2026"),
    ("cdi-31-aout-fini-le-27-fevrier", [c("A", "31/08/2025", "27/02/2026", type_contrat="cdi")], CDI,
     "31/08/2025", None),
    ("cdi-futur-ouvert", [c("A", "01/03/2026", type_contrat="cdi")], CDI, "01/03/2026", "01/09/2026"),
    ("cdi-sortie-datee-apres-l-embauche", [c("A", "01/01/2026", type_contrat="cdi")], CDI, "15/03/2026",
     "01/07/2026"),
    ("cdi-regle-deja-remplie-a-la-sortie", [c("A", "01/01/2025", type_contrat="cdi")], CDI, "15/03/2026",
     "15/03/2026"),
    # --- an old contract never validates a new exit (issue #13, 1)
    ("vieux-cdd-2022-puis-cdi-2026",
     [c("A", "01/01/2022", "31/07/2022"), c("B", "15/03/2026", type_contrat="cdi")], CDI, "15/03/2026",
     "15/09/2026"),
    ("vieux-cdd-2022-puis-cdi-2026-tout-employeur",
     [c("A", "01/01/2022", "31/07/2022"), c("B", "15/03/2026", type_contrat="cdi")], DUREE_6, "15/03/2026",
     "15/09/2026"),
    ("vieux-cdd-2022-seul", [c("A", "01/01/2022", "31/07/2022")], DF_6_9, "15/03/2026", None),
    ("cdd-7-mois-fini-avant-la-sortie", [c("A", "01/01/2026", "31/07/2026")], CDD_MEME, "01/09/2026", None),
    ("cdd-7-mois-fini-avant-la-sortie-fenetre", [c("A", "01/01/2026", "31/07/2026")], DF_6_9, "01/09/2026",
     None),
    ("cdd-fini-le-jour-de-la-sortie-compte", [c("A", "01/01/2026", "01/09/2026")], DF_6_9, "01/09/2026",
     "01/09/2026"),
    # --- CDD: 6 months with the same employer, chained without a gap
    ("cdd-enchaines-sans-trou", [c("A", "01/01/2025", "31/03/2025"), c("A", "01/04/2025", "30/06/2025")],
     CDD_MEME, "01/01/2025", "01/07/2025"),
    ("cdd-trou-d-un-jour", [c("A", "01/01/2025", "31/03/2025"), c("A", "02/04/2025", "30/06/2025")],
     CDD_MEME, "01/01/2025", None),
    ("cdd-trou-puis-6-mois", [c("A", "01/01/2025", "31/03/2025"), c("A", "02/04/2025", "31/12/2025")],
     CDD_MEME, "01/01/2025", "02/10/2025"),
    ("cdd-employeurs-differents", [c("A", "01/01/2025", "31/03/2025"), c("B", "01/04/2025", "30/06/2025")],
     CDD_MEME, "01/01/2025", None),
    ("emploi-tout-employeur-enchaine",
     [c("A", "01/01/2025", "31/03/2025"), c("B", "01/04/2025", "30/06/2025")], DUREE_6, "01/01/2025",
     "01/07/2025"),
    ("cdi-pas-avec-un-autre-employeur", [c("A", "01/01/2025", "31/03/2025"),
                                         c("B", "01/04/2025", type_contrat="cdi")], CDI, "01/01/2025",
     "01/10/2025"),
    ("cdd-employeur-normalise", [c("Intérim Plus", "01/01/2025", "31/03/2025"),
                                 c("  interim   PLUS ", "01/04/2025", "30/06/2025")], CDD_MEME, "01/01/2025",
     "01/07/2025"),
    ("cdd-chevauchement", [c("A", "01/01/2025", "30/04/2025"), c("A", "01/04/2025", "30/06/2025")],
     CDD_MEME, "01/01/2025", "01/07/2025"),
    # --- intérim: 900 h in the same agency over the last 9 months, or 6 months without gap in it
    ("interim-900h-une-agence", [c("A", "01/01/2025", "31/07/2025", type_contrat="interim")], H900,
     "01/01/2025", "30/06/2025"),
    ("interim-regle-complete-900h-d-abord", [c("A", "01/01/2025", "31/07/2025", type_contrat="interim")],
     INTERIM, "01/01/2025", "30/06/2025"),
    ("interim-deux-agences-900h-non",
     [c("A", "01/01/2025", "31/03/2025"), c("B", "01/04/2025", "30/06/2025")], H900, "01/01/2025", None),
    ("interim-deux-agences-6-mois-sans-trou-non",
     [c("A", "01/01/2025", "31/03/2025"), c("B", "01/04/2025", "30/06/2025")], INTERIM, "01/01/2025", None),
    ("interim-une-agence-6-mois-temps-partiel", [c("A", "01/01/2025", "30/06/2025", heures=20)], INTERIM,
     "01/01/2025", "01/07/2025"),
    ("interim-missions-discontinues-meme-agence",
     [c("A", "01/01/2025", "28/02/2025"), c("A", "10/03/2025", "30/04/2025"),
      c("A", "10/05/2025", "31/07/2025")],
     INTERIM, "01/01/2025", "18/07/2025"),
    ("interim-temps-partiel-24h", [c("A", "01/01/2025", heures=24)], H900, "01/01/2025", "21/09/2025"),
    ("interim-temps-partiel-17h30-jamais", [c("A", "01/01/2025", heures=17.5)], H900, "01/01/2025", None),
    ("interim-chevauchement-meme-agence-compte-une-fois",
     [c("A", "01/01/2025", "30/04/2025"), c("A", "01/03/2025", "30/06/2025")], H900, "01/01/2025",
     "30/06/2025"),
    ("interim-heures-inconnues-duree-seule", [c("A", "01/01/2025", heures=None)], INTERIM, "01/01/2025",
     "01/07/2025"),
    ("interim-heures-inconnues-900h-jamais", [c("A", "01/01/2025", heures=None)], H900, "01/01/2025", None),
    # the 9 months end on V: hours of an earlier mission too far back do not add up
    ("interim-fenetre-se-termine-le-jour-v",
     [c("A", "01/01/2024", "31/03/2024"), c("A", "01/11/2024", "28/02/2025")], H900, "01/01/2024", None),
    ("interim-heures-d-avant-la-sortie-ignorees",
     [c("A", "01/01/2024", "30/06/2024"), c("A", "01/03/2025")], H900, "01/03/2025", "28/08/2025"),
    # --- successive contracts: 6 calendar months over the last 9, 39 weeks or 1,200 h over 12
    ("successifs-6-sur-9-un-cdd-de-6-mois", [c("A", "01/01/2025", "30/06/2025")], DF_6_9, "01/01/2025",
     "01/07/2025"),
    ("successifs-6-sur-9-180-jours-jamais", [c("A", "01/01/2025", "29/06/2025")], DF_6_9, "01/01/2025", None),
    ("successifs-6-sur-9-avec-trous",
     [c("A", "01/01/2025", "28/02/2025"), c("B", "01/04/2025", "30/05/2025"),
      c("C", "01/07/2025", "03/09/2025")],
     DF_6_9, "01/01/2025", "04/09/2025"),
    # 183 days worked: short of the 184 days of 6 months ending on 03/09, enough for the 183
    # days of April–September, so met on 01/10 (the window still holds every day worked)
    ("successifs-6-sur-9-trous-un-jour-de-moins",
     [c("A", "01/01/2025", "28/02/2025"), c("B", "01/04/2025", "30/05/2025"),
      c("C", "01/07/2025", "02/09/2025")],
     DF_6_9, "01/01/2025", "01/10/2025"),
    ("successifs-trop-espaces", [c("A", "01/01/2025", "31/03/2025"), c("B", "01/10/2025", "31/12/2025")],
     DF_6_9, "01/01/2025", None),
    ("successifs-chevauchement-union",
     [c("A", "01/01/2025", "30/04/2025"), c("B", "01/03/2025", "30/06/2025")], DF_6_9, "01/01/2025",
     "01/07/2025"),
    ("successifs-39-semaines-sur-12",
     [c("A", "01/01/2025", "30/06/2025"), c("B", "01/08/2025", "31/10/2025")], SF_39_12, "01/01/2025",
     "01/11/2025"),
    ("successifs-39-semaines-moins-un-jour",
     [c("A", "01/01/2025", "30/06/2025"), c("B", "01/08/2025", "30/10/2025")], SF_39_12, "01/01/2025", None),
    ("successifs-defaut-39-semaines", [c("A", "01/01/2025")], SUCCESSIFS, "01/01/2025", "01/10/2025"),
    ("successifs-1200h-sur-12",
     [c("A", "01/01/2025", "30/04/2025"), c("B", "01/06/2025", "31/08/2025"), c("C", "01/10/2025")],
     HF_1200_12, "01/01/2025", "29/10/2025"),
    ("successifs-1200h-employeurs-cumules",
     [c("A", "01/01/2025", heures=20), c("B", "01/01/2025", heures=15)], HF_1200_12, "01/01/2025",
     "29/08/2025"),
    # --- a weekly-hours minimum (contrats aidés « 20 heures », 004 l.439–446, l.3207)
    ("aide-20h-12-mois", [c("A", "01/01/2025", heures=20, type_contrat="contrat_aide")], AIDE, "01/01/2025",
     "01/01/2026"),
    ("aide-18h-jamais", [c("A", "01/01/2025", heures=18, type_contrat="contrat_aide")], AIDE, "01/01/2025",
     None),
    ("aide-19h30-jamais", [c("A", "01/01/2025", heures=19.5, type_contrat="contrat_aide")], AIDE,
     "01/01/2025", None),
    ("aide-35h-8-mois-ne-suffit-plus", [c("A", "01/01/2025", "31/08/2025", type_contrat="contrat_aide")],
     AIDE, "01/01/2025", None),
    ("aide-fini-la-veille-des-12-mois", [c("A", "01/01/2025", "31/12/2025", type_contrat="contrat_aide")],
     AIDE, "01/01/2025", "01/01/2026"),
    ("aide-fini-deux-jours-avant", [c("A", "01/01/2025", "30/12/2025", type_contrat="contrat_aide")],
     AIDE, "01/01/2025", None),
    ("aide-avenant-a-18h-coupe",
     [c("A", "01/01/2025", "30/06/2025", heures=20), c("A", "01/07/2025", heures=18)], AIDE, "01/01/2025",
     None),
    ("aide-heures-inconnues-jamais", [c("A", "01/01/2025", heures=None)], AIDE, "01/01/2025", None),
    ("aide-29-fevrier-2028", [c("A", "29/02/2028", heures=20)], AIDE, "29/02/2028", "01/03/2029"),
    ("aide-deux-employeurs-10h-meme-employeur-non",
     [c("A", "01/01/2025", heures=10), c("B", "01/01/2025", heures=10)], AIDE, "01/01/2025", None),
    ("aide-deux-employeurs-10h-tout-employeur",
     [c("A", "01/01/2025", heures=10), c("B", "01/01/2025", heures=10)], AIDE_TOUT_EMPLOYEUR, "01/01/2025",
     "01/01/2026"),
    ("semaines-20h-minimum-jours-a-18h-ne-comptent-pas",
     [c("A", "01/01/2025", "30/06/2025", heures=20), c("B", "01/07/2025", heures=18)], SF_39_12_20H,
     "01/01/2025", None),
    ("semaines-20h-minimum", [c("A", "01/01/2025", heures=20)], SF_39_12_20H, "01/01/2025", "01/10/2025"),
    # --- ETTI: 39 weeks over the last 12 months with the same company
    ("etti-39-semaines-une-entreprise", [c("A", "01/02/2025", "31/10/2025", type_contrat="iae")], ETTI,
     "01/02/2025", "01/11/2025"),
    ("etti-deux-entreprises-non",
     [c("A", "01/01/2025", "30/06/2025", type_contrat="iae"),
      c("B", "01/07/2025", "31/12/2025", type_contrat="iae")],
     ETTI, "01/01/2025", None),
    # --- other dynamic exits: 12 months
    ("autre-12-mois-bissextile", [c("A", "01/03/2027")], DUREE_12, "01/03/2027", "01/03/2028"),
    ("autre-12-mois-depuis-29-fevrier", [c("A", "29/02/2028")], DUREE_12, "29/02/2028", "01/03/2029"),
    ("autre-12-mois-depuis-28-fevrier-2028", [c("A", "28/02/2028")], DUREE_12, "28/02/2028", "28/02/2029"),
    # --- création d'entreprise: 6 months after registration, still running
    ("creation-6-mois", [creation("15/03/2025")], CREATION, "15/03/2025", "15/09/2025"),
    ("creation-arretee-trop-tot", [creation("15/03/2025", "10/09/2025")], CREATION, "15/03/2025", None),
    ("creation-tenue-jusqu-a-la-veille", [creation("15/03/2025", "14/09/2025")], CREATION, "15/03/2025",
     "15/09/2025"),
    ("creation-un-cdi-n-est-pas-une-creation", [c("A", "01/01/2025", type_contrat="cdi")], CREATION,
     "01/01/2025", None),
    # --- formation qualifiante: its last day, or 6 months of it for a long one
    ("formation-courte-sa-fin", [formation("01/09/2025", "30/11/2025")], FORMATION_6, "30/11/2025",
     "30/11/2025"),
    ("formation-longue-6-mois", [formation("01/09/2025", "30/06/2026")], FORMATION_6, "01/09/2025",
     "01/03/2026"),
    ("formation-sans-fin-31-aout", [formation("31/08/2025")], FORMATION_6, "31/08/2025", "01/03/2026"),
    ("formation-finie-avant-la-sortie", [formation("01/01/2025", "30/06/2025")], FORMATION_6, "01/09/2025",
     None),
    ("formation-ne-compte-pas-comme-emploi", [formation("01/01/2025", "31/12/2025")], CDI, "01/01/2025",
     None),
    # --- degenerate inputs
    ("aucun-contrat", [], CDI, "01/01/2025", None),
    ("aucun-contrat-fenetre", [], HF_1200_12, "01/01/2025", None),
    ("aucun-critere", [c("A", "01/01/2025")], [], "01/01/2025", None),
    ("critere-mal-forme-jamais-rempli", [c("A", "01/01/2025")], [{"type": "duree_emploi"}], "01/01/2025",
     None),
    ("critere-mal-forme-et-valide", [c("A", "01/01/2025")], [{"type": "inconnu"}, *DUREE_6], "01/01/2025",
     "01/07/2025"),
    ("contrat-incoherent-ignore", [c("A", "01/06/2025", "01/01/2025")], DUREE_6, "01/01/2025", None),
]  # fmt: skip


@pytest.mark.parametrize(
    ("contrats", "criteres", "depuis", "expected"),
    [case[1:] for case in CASES],
    ids=[case[0] for case in CASES],
)
def test_date_validable(contrats, criteres, depuis, expected):
    assert date_validable(contrats, criteres, depuis=d(depuis)) == (d(expected) if expected else None)


ONE_DAY = datetime.timedelta(days=1)


def _met(contrats, criteres, day, depuis):
    return any(critere_met(contrats, critere, day, depuis=depuis) for critere in criteres)


@pytest.mark.parametrize(
    ("contrats", "criteres", "depuis", "expected"),
    [case[1:] for case in CASES if case[4]],
    ids=[case[0] for case in CASES if case[4]],
)
def test_the_rule_is_met_from_that_day_only(contrats, criteres, depuis, expected):
    """The predicate, asked day by day: met on the validable date, not the day before (unless
    that is before the exit: then the rule was met already and the exit's date is the first
    day), and never on a day between the exit and it."""
    depuis, expected = d(depuis), d(expected)
    assert _met(contrats, criteres, expected, depuis)
    day = depuis
    while day < expected:
        assert not _met(contrats, criteres, day, depuis), day
        day += ONE_DAY
    if expected > depuis:
        assert not _met(contrats, criteres, expected - ONE_DAY, depuis)


def test_the_table_has_at_least_60_cases():
    assert len(CASES) >= 60
    assert len({case[0] for case in CASES}) == len(CASES)


def test_contract_order_does_not_matter():
    contrats = [
        c("A", "10/05/2025", "31/07/2025"),
        c("A", "01/01/2025", "28/02/2025"),
        c("A", "10/03/2025", "30/04/2025"),
    ]
    assert date_validable(contrats, INTERIM, depuis=d("01/01/2025")) == d("18/07/2025")


def test_a_run_that_stops_is_no_longer_met():
    """A duration rule reads the run going on V: met on 01/07 after a CDD 01/01–30/06, no longer
    met a week after the contract ended (the exit is then validable from 01/07, once met)."""
    contrats = [c("A", "01/01/2025", "30/06/2025")]
    assert critere_met(contrats, CDD_MEME[0], d("01/07/2025"), depuis=d("01/01/2025"))
    assert not critere_met(contrats, CDD_MEME[0], d("08/07/2025"), depuis=d("01/01/2025"))


def test_a_window_ends_on_v():
    """900 h within the 9 months ending on V: met on 30/06/2025, no longer on 01/04/2026 when
    the mission ended on 31/07/2025 (the window then holds 01/07–31/07 only)."""
    contrats = [c("A", "01/01/2025", "31/07/2025")]
    assert critere_met(contrats, H900[0], d("30/06/2025"))
    assert not critere_met(contrats, H900[0], d("29/06/2025"))
    assert not critere_met(contrats, H900[0], d("01/04/2026"))


@pytest.mark.parametrize(
    ("start", "months", "expected"),
    [
        ("01/03/2026", 6, "01/09/2026"),
        ("15/01/2026", 6, "15/07/2026"),
        ("31/08/2025", 6, "01/03/2026"),
        ("30/08/2025", 6, "01/03/2026"),
        ("28/08/2025", 6, "28/02/2026"),
        ("31/08/2027", 6, "01/03/2028"),
        ("29/08/2027", 6, "29/02/2028"),
        ("29/02/2028", 12, "01/03/2029"),
        ("28/02/2028", 12, "28/02/2029"),
        ("31/01/2028", 1, "01/03/2028"),
        ("29/01/2028", 1, "29/02/2028"),
        ("31/12/2025", 2, "01/03/2026"),
    ],
)
def test_months_done_on(start, months, expected):
    assert months_done_on(d(start), months) == d(expected)
    # the first such day: the day before, fewer than ``months`` months are done
    assert add_months(d(expected), -months) >= d(start)
    assert add_months(d(expected) - ONE_DAY, -months) < d(start)


@pytest.mark.parametrize(
    ("months", "expected"),
    [(1, (28, 31)), (6, (181, 184)), (9, (273, 276)), (12, (365, 366))],
)
def test_window_days_range(months, expected):
    assert window_days_range(months) == expected


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
        ("31/03/2028", -1, "29/02/2028"),
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


DE = "Critère n° 1 (durée d'emploi sans interruption)"
HF = "Critère n° 1 (heures travaillées sur les derniers mois)"
TYPES = (
    "types possibles : apres_debut, duree_emploi, duree_fenetre, fin_formation, heures_fenetre, "
    "semaines_fenetre"
)
ENTIER = "« Durée (mois) » doit être un nombre entier de mois."
SF = "Critère n° 1 (semaines travaillées sur les derniers mois)"


@pytest.mark.parametrize(
    ("criteres", "messages"),
    [
        (CDI, []),
        (INTERIM, []),
        (SUCCESSIFS, []),
        (AIDE, []),
        ([], []),
        ({"type": "duree_emploi", "mois": 6}, ["Les critères de validation sont une liste de critères."]),
        ([{"type": "anciennete", "mois": 6}],
         [f"Critère n° 1 : type de critère « anciennete » inconnu ({TYPES})."]),
        ([{"mois": 6}], [f"Critère n° 1 : le type de critère manque ({TYPES})."]),
        ([6], ["Critère n° 1 : un critère se décrit par son type et ses paramètres."]),
        ([*CDI, {"type": "duree_emploi"}],
         ["Critère n° 2 (durée d'emploi sans interruption) : « Durée (mois) » est obligatoire pour ce type "
          "de critère."]),
        ([{"type": "duree_emploi", "mois": -6}], [f"{DE} : « Durée (mois) » doit être strictement positif."]),
        ([{"type": "duree_emploi", "mois": 0}], [f"{DE} : « Durée (mois) » doit être strictement positif."]),
        ([{"type": "duree_emploi", "mois": "6"}], [f"{DE} : {ENTIER}"]),
        ([{"type": "duree_emploi", "mois": 6.5}], [f"{DE} : {ENTIER}"]),
        ([{"type": "duree_emploi", "mois": True}], [f"{DE} : {ENTIER}"]),
        ([{"type": "duree_emploi", "mois": 61}], [f"{DE} : « Durée (mois) » ne peut pas dépasser 60 mois."]),
        ([{"type": "duree_emploi", "mois": 6, "meme_employeur": "oui"}],
         [f"{DE} : « Même employeur / même agence » se coche ou se décoche (oui ou non)."]),
        ([{"type": "duree_emploi", "mois": 6, "meme_employer": True}],
         [f"{DE} : paramètre « meme_employer » inconnu pour ce type de critère."]),
        ([{"type": "duree_emploi", "mois": 12, "heures_hebdo_min": 0}],
         [f"{DE} : « Minimum d'heures par semaine » doit être strictement positif."]),
        ([{"type": "duree_emploi", "mois": 12, "heures_hebdo_min": 49}],
         [f"{DE} : « Minimum d'heures par semaine » ne peut pas dépasser 48 h."]),
        ([{"type": "duree_emploi", "mois": 12, "heures_hebdo_min": "20"}],
         [f"{DE} : « Minimum d'heures par semaine » doit être un nombre d'heures."]),
        ([{"type": "duree_emploi", "mois": 12, "fenetre_mois": 9}],
         [f"{DE} : « Sur les derniers (mois) » ne s'applique pas à ce type de critère."]),
        ([{"type": "heures_fenetre", "heures": "900", "fenetre_mois": 9}],
         [f"{HF} : « Heures » doit être un nombre d'heures."]),
        ([{"type": "heures_fenetre", "heures": -900, "fenetre_mois": 9}],
         [f"{HF} : « Heures » doit être strictement positif."]),
        ([{"type": "heures_fenetre", "heures": 900}],
         [f"{HF} : « Sur les derniers (mois) » est obligatoire pour ce type de critère."]),
        # contradictory parameters, on the field at fault
        ([{"type": "duree_fenetre", "mois": 10, "fenetre_mois": 9}],
         ["Critère n° 1 (mois travaillés sur les derniers mois) : « Durée (mois) » (10) dépasse « Sur les "
          "derniers (mois) » (9) : la règle ne pourrait jamais être remplie."]),
        ([{"type": "semaines_fenetre", "semaines": 39, "fenetre_mois": 6}],
         [f"{SF} : 39 semaines ne tiennent pas dans les 6 derniers mois "
          "(« Semaines » trop grand pour « Sur les derniers (mois) »)."]),
        ([{"type": "semaines_fenetre", "semaines": 26, "fenetre_mois": 6}], []),  # 182 days: some windows
        ([{"type": "semaines_fenetre", "semaines": 27, "fenetre_mois": 6}],
         [f"{SF} : 27 semaines ne tiennent pas dans les 6 derniers mois "
          "(« Semaines » trop grand pour « Sur les derniers (mois) »)."]),
        ([{"type": "heures_fenetre", "heures": 1900, "fenetre_mois": 9}],
         [f"{HF} : 1 900 h ne tiennent pas dans les 9 derniers mois, même à 48 h par semaine "
          "(« Heures » trop grand)."]),
        ([{"type": "apres_debut", "mois": 6, "meme_employeur": True}],
         ["Critère n° 1 (création d'entreprise : mois d'activité) : « Même employeur / même agence » ne "
          "s'applique pas à ce type de critère."]),
        ([{"type": "fin_formation"}],
         ["Critère n° 1 (fin de formation qualifiante) : « Au plus tard après (mois) » est obligatoire pour "
          "ce type de critère."]),
    ],
)  # fmt: skip
def test_criteres_errors(criteres, messages):
    assert criteres_errors(criteres) == messages


def test_criteres_label():
    assert criteres_label(INTERIM) == (
        "900 h sur les 9 derniers mois chez le même employeur (même agence) ou 6 mois d'emploi sans "
        "interruption chez le même employeur (même agence)"
    )
    assert criteres_label([*DF_6_9, *SF_39_12, *HF_1200_12]) == (
        "6 mois d'emploi sur les 9 derniers mois ou 39 semaines d'emploi sur les 12 derniers mois "
        "ou 1 200 h sur les 12 derniers mois"
    )
    assert criteres_label(AIDE) == (
        "12 mois d'emploi sans interruption à 20 h par semaine au moins chez le même employeur (même agence)"
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
        (_parcours(DUREE_6), "28/02/2026",
         ("01/03/2026", False, False,
          "Validable à partir du 01/03/2026 (6 mois d'emploi sans interruption).")),
        (_parcours(DUREE_6), "01/03/2026",
         ("01/03/2026", True, False, "Validable depuis le 01/03/2026 (6 mois d'emploi sans interruption).")),
        (_parcours(DUREE_6, commission=True), "02/03/2026",
         ("01/03/2026", True, True,
          "Validable depuis le 01/03/2026 (6 mois d'emploi sans interruption) : à présenter en commission.")),
        (_parcours(DUREE_6, date_sortie="15/04/2026"), "20/04/2026",
         ("15/04/2026", True, False, "Validable depuis le 15/04/2026 (6 mois d'emploi sans interruption).")),
        (_parcours(CREATION), "01/03/2026",
         (None, False, False, "Règle non remplie par les contrats en cours depuis la sortie du 01/09/2025 "
                              "(6 mois après l'immatriculation (début d'activité)).")),
        # the rule met long before the exit's date: validable from that date
        (_parcours(DUREE_6, date_sortie="01/10/2026"), "01/10/2026",
         ("01/10/2026", True, False, "Validable depuis le 01/10/2026 (6 mois d'emploi sans interruption).")),
        (_parcours([], commission=True), "01/09/2025",
         ("01/09/2025", True, True, "Validable depuis le 01/09/2025 : à présenter en commission.")),
        (_parcours(DUREE_6, validee=True, date_validation="02/03/2026"), "10/03/2026",
         ("02/03/2026", False, False, "Sortie déjà validée le 02/03/2026.")),
        (_parcours([{"type": "duree_emploi"}]), "01/03/2026",
         (None, False, False,
          "Règle de validation mal formée : Critère n° 1 (durée d'emploi sans interruption) : "
          "« Durée (mois) » est obligatoire pour ce type de critère.")),
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


def _naive_first_date(contrats, fenetre_mois, needed, hours):
    """The window rule written the slow, obvious way: for each day V, add up its window
    [V − F months, V) day by day and compare with ``needed(V)``."""
    first = min(p.debut for p in contrats)
    last = max(p.fin for p in contrats)
    day = first + ONE_DAY
    while day <= add_months(last, fenetre_mois) + 2 * ONE_DAY:
        total, current = 0, add_months(day, -fenetre_mois)
        while current < day:
            employers = {}
            for p in contrats:
                if p.debut <= current <= p.fin:
                    weight = int(p.heures_hebdo * 10) if hours else 1
                    key = normalise_employeur(p.employeur) if hours else ""
                    employers[key] = max(employers.get(key, 0), weight)
            total += sum(employers.values())
            current += ONE_DAY
        if total >= needed(day):
            return day
        day += ONE_DAY
    return None


@pytest.mark.parametrize("seed", range(12))
def test_window_rules_agree_with_a_naive_count(seed):
    import random

    rng = random.Random(seed)
    contrats = []
    start = d("20/12/2027")  # across 29/02/2028
    for _ in range(rng.randint(1, 4)):
        start += datetime.timedelta(days=rng.randint(-20, 60))
        fin = start + datetime.timedelta(days=rng.randint(0, 150))
        contrats.append(
            c(rng.choice("AB"), f"{start:%d/%m/%Y}", f"{fin:%d/%m/%Y}", heures=rng.choice([20, 35, 39]))
        )
    heures = date_validable(
        contrats, [{"type": "heures_fenetre", "heures": 600, "fenetre_mois": 6}], depuis=None
    )
    assert heures == _naive_first_date(contrats, 6, lambda day: 600 * 70, hours=True)
    jours = date_validable(contrats, [{"type": "duree_fenetre", "mois": 3, "fenetre_mois": 5}], depuis=None)
    assert jours == _naive_first_date(contrats, 5, lambda day: (day - add_months(day, -3)).days, hours=False)


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
    # The CDI rule counts 6 months in the CDI (same employer): the intérim before it does not
    # chain with it (it did under the old default, validable on 01/08/2026).
    status = validation_status(parcours, d("01/10/2026"))
    assert (status.date_validable, status.validable_now) == (d("01/10/2026"), True)
    assert not validation_status(parcours, d("30/09/2026")).validable_now
    # A cancelled étape is not read.
    EtapeFactory(
        parcours=parcours,
        type=TypeEtapeFactory(categorie=CategorieEtape.FORMATION_QUALIFIANTE),
        date_debut=d("01/06/2026"),
        annulee=True,
        date_annulation=d("01/05/2026"),
    )
    assert len(contrats_of(parcours)) == 5


# --- the seed PLIE tables of 004, each expressed criterion by criterion ------------------------------
# (row, seed lines, criteria); every row must be a well-formed rule.
M = True  # « même employeur / même agence »
SEED_TABLES = {
    "Agenais (004 l.407–510)": [
        ("CDI 6 mois ou plus", "l.423", [{"type": "duree_emploi", "mois": 6, "meme_employeur": M}]),
        ("CDD > 6 mois chez le même employeur", "l.424–431",
         [{"type": "duree_emploi", "mois": 6, "meme_employeur": M}]),
        ("CTT 900 h même agence, 9 derniers mois", "l.433–437",
         [{"type": "heures_fenetre", "heures": 900, "fenetre_mois": 9, "meme_employeur": M}]),
        ("Contrats aidés hors IAE, 20 h, 12 mois", "l.439–448",
         [{"type": "duree_emploi", "mois": 12, "meme_employeur": M, "heures_hebdo_min": 20}]),
        ("Contrats aidés IAE, 12 mois", "l.450–451",
         [{"type": "duree_emploi", "mois": 12, "meme_employeur": M}]),
        ("Contrats successifs 6 mois sur les 9 derniers", "l.453–459",
         [{"type": "duree_fenetre", "mois": 6, "fenetre_mois": 9}]),
        ("CDD en ETTI 6 mois sur 12 même entreprise utilisatrice", "l.461–470",
         [{"type": "duree_fenetre", "mois": 6, "fenetre_mois": 12, "meme_employeur": M}]),
        ("Création 6 mois après RCS", "l.472", [{"type": "apres_debut", "mois": 6}]),
        ("Formation qualifiante", "l.473–477", [{"type": "fin_formation", "mois_max": 6}]),
    ],
    "Bordeaux (004 l.1556–1636)": [
        ("CDI 6 mois ou plus", "l.1565–1566", [{"type": "duree_emploi", "mois": 6, "meme_employeur": M}]),
        ("CDD > 6 mois chez le même employeur", "l.1568–1572",
         [{"type": "duree_emploi", "mois": 6, "meme_employeur": M}]),
        ("Intérim 6 mois même agence sans interruption", "l.1574–1578",
         [{"type": "duree_emploi", "mois": 6, "meme_employeur": M}]),
        ("Contrats successifs 39 semaines ou 1 200 h sur 12 mois", "l.1580–1585",
         [{"type": "semaines_fenetre", "semaines": 39, "fenetre_mois": 12},
          {"type": "heures_fenetre", "heures": 1200, "fenetre_mois": 12}]),
        ("CDD en EI 12 mois", "l.1589–1590", [{"type": "duree_emploi", "mois": 12}]),
        ("CDD en ETTI 39 semaines ou 1 200 h sur 12 mois", "l.1592–1596",
         [{"type": "semaines_fenetre", "semaines": 39, "fenetre_mois": 12},
          {"type": "heures_fenetre", "heures": 1200, "fenetre_mois": 12}]),
        ("Contrats aidés hors SIAE 1 200 h sur 12 mois", "l.1598–1604",
         [{"type": "heures_fenetre", "heures": 1200, "fenetre_mois": 12}]),
        ("Création 6 mois après RCS", "l.1606", [{"type": "apres_debut", "mois": 6}]),
        ("Formation qualifiante", "l.1607–1610", [{"type": "fin_formation", "mois_max": 6}]),
    ],
    "Grand Périgueux (004 l.3193–3230)": [
        ("CDI 6 mois ou plus", "l.3201", [{"type": "duree_emploi", "mois": 6, "meme_employeur": M}]),
        ("CDD ≥ 6 mois chez le même employeur", "l.3202",
         [{"type": "duree_emploi", "mois": 6, "meme_employeur": M}]),
        ("CTT 6 mois même agence sur les 12 derniers mois", "l.3204",
         [{"type": "duree_fenetre", "mois": 6, "fenetre_mois": 12, "meme_employeur": M}]),
        ("Contrats successifs 39 semaines ou 1 200 h sur 12 mois", "l.3205",
         [{"type": "semaines_fenetre", "semaines": 39, "fenetre_mois": 12},
          {"type": "heures_fenetre", "heures": 1200, "fenetre_mois": 12}]),
        ("Contrats aidés IAE, 20 h, 39 semaines ou 1 200 h sur 12 mois", "l.3207",
         [{"type": "semaines_fenetre", "semaines": 39, "fenetre_mois": 12, "heures_hebdo_min": 20},
          {"type": "heures_fenetre", "heures": 1200, "fenetre_mois": 12, "heures_hebdo_min": 20}]),
        ("ETTI 39 semaines ou 1 200 h sur 12 mois", "l.3208",
         [{"type": "semaines_fenetre", "semaines": 39, "fenetre_mois": 12},
          {"type": "heures_fenetre", "heures": 1200, "fenetre_mois": 12}]),
        ("Contrats aidés hors IAE 39 semaines ou 1 200 h sur 12 mois", "l.3210",
         [{"type": "semaines_fenetre", "semaines": 39, "fenetre_mois": 12},
          {"type": "heures_fenetre", "heures": 1200, "fenetre_mois": 12}]),
        ("Création 6 mois d'inscription RCS", "l.3211", [{"type": "apres_debut", "mois": 6}]),
        ("Formation qualifiante", "l.3213", [{"type": "fin_formation", "mois_max": 6}]),
    ],
}  # fmt: skip


@pytest.mark.parametrize(
    ("row", "criteres"),
    [
        (f"{table} — {row} ({line})", criteres)
        for table, rows in SEED_TABLES.items()
        for row, line, criteres in rows
    ],
)
def test_every_seed_row_is_expressible(row, criteres):
    assert criteres_errors(criteres) == [], row
    assert criteres_label(criteres) != "critère mal formé"


def test_the_seed_tables_differ_where_the_seeds_differ():
    """The same job read by the three tables: 8 months at 35 h in an aided contract passes
    Bordeaux's 1 200 h (on day 240) but not Agenais' 12 months at 20 h; 9 months in an ETTI with
    one user company (272 days) pass Agenais' 6 months over 12 (on 01/07), not the default's 39 weeks."""
    aide = [c("A", "01/01/2025", "31/08/2025", type_contrat="contrat_aide")]
    agenais = {row: criteres for row, _line, criteres in SEED_TABLES["Agenais (004 l.407–510)"]}
    bordeaux = {row: criteres for row, _line, criteres in SEED_TABLES["Bordeaux (004 l.1556–1636)"]}
    depuis = d("01/01/2025")
    assert date_validable(aide, bordeaux["Contrats aidés hors SIAE 1 200 h sur 12 mois"], depuis=depuis) == d(
        "29/08/2025"
    )
    assert date_validable(aide, agenais["Contrats aidés hors IAE, 20 h, 12 mois"], depuis=depuis) is None
    etti = [c("A", "01/01/2025", "29/09/2025", type_contrat="iae")]  # 272 days: one short of 39 weeks
    key = "CDD en ETTI 6 mois sur 12 même entreprise utilisatrice"
    assert date_validable(etti, agenais[key], depuis=depuis) == d("01/07/2025")
    assert date_validable(etti, ETTI, depuis=depuis) is None  # the default: 39 weeks (273 days)
