"""The annual bilan of one PLIE (or several, for an OI) as data: the JSON contract of issue 7,
which the command, the API, the CSV/XLSX exports and (later) the PDF all read.

::

    {"plie": "CODE", "annee": 2016,
     "flux": {...}, "taux": {...}, "repartitions": {...},
     "duree_moyenne_parcours_mois": float | None,
     "etapes": {...}, "operations": [...], "fse": {...}}

Definitions: ``reporting.flux`` (the flow table), ``reporting.indicateurs`` (rates), docs/domaine.md §7;
``operations.selectors`` and ``operations.indicateurs_fse`` for the operations and FSE sections.
A whole bilan costs a fixed number of queries whatever the data size (4 on PostgreSQL, 5
elsewhere, plus one to find the PLIE by its code, plus one for the operations of the year and 4
more when there are some)."""

from collections import defaultdict

from django.utils import timezone

from operations.indicateurs_fse import bilan_fse
from operations.selectors import bilan_operations, operations_des_plie
from parcours.enums import CategorieEtape
from participants.enums import Sexe
from plie.core.models import Structure
from plie.core.routers import reads_from_replica
from reporting import flux as queries
from reporting import indicateurs
from reporting.flux import Periode
from reporting.regles_comptage import REGLE_BILAN
from reporting.selectors import (
    TRANCHE_26_44,
    TRANCHE_45_54,
    TRANCHE_55_PLUS,
    TRANCHE_MOINS_26,
    Perimetre,
    decoder_faits,
)

INCONNU = "inconnu"
OUI = "oui"
NON = "non"
SANS_REFERENT = "Sans référent"
SANS_PRESCRIPTEUR = "Sans prescripteur"
SANS_ETAPE = "sans_etape"

# The age bands of docs/domaine.md §4 / §7 as the FSE and the national consolidation ask them: « 45 ans
# et plus » includes « plus de 54 ans », both are reported.
TRANCHES_AGE = {
    "moins_26": (TRANCHE_MOINS_26,),
    "26_44": (TRANCHE_26_44,),
    "45_plus": (TRANCHE_45_54, TRANCHE_55_PLUS),
    "plus_54": (TRANCHE_55_PLUS,),
}
VALEURS_NIVEAU = ("2a", "2b", "2c", "2d", INCONNU)
VALEURS_OUI_NON = (OUI, NON, INCONNU)

# Jobs accessed during the year (docs/domaine.md §7, ``001`` l.730–735): « emplois de parcours » (IAE,
# contrats aidés, short CDD and intérim) vs lasting jobs not yet validated as an exit.
EMPLOIS_DE_PARCOURS = (CategorieEtape.SIAE, CategorieEtape.CONTRAT_AIDE, CategorieEtape.EMPLOI_PARCOURS)
EMPLOIS_DURABLES = (CategorieEtape.EMPLOI_DURABLE,)


class PlieInconnu(LookupError):
    pass


@reads_from_replica
def bilan_annuel(plie, annee, *, referent_id=None, prescripteur_id=None):
    """The annual bilan of ``plie`` for the civil year ``annee`` (the JSON contract of issue 7).

    ``plie``: a PLIE (Structure), its code, or a list of codes / PLIE (an OI's consolidated
    bilan; then ``"plie"`` is the sorted list of codes). The caller decides who may read it
    (``reporting.selectors.plie_visible``); the figures are aggregates only.

    ``operations``: each FSE operation of the PLIE overlapping the year, with places,
    participants, average occupancy and results against targets
    (:func:`operations.selectors.bilan_operations`); ``fse``: the FSE output indicators at entry,
    result indicators at exit, completeness counts of their enrolments and the longer-term results
    six months after exit (``long_terme``, ``situations``;
    :func:`operations.indicateurs_fse.bilan_fse`), for the whole PLIE whatever the référent or
    prescripteur filter. Without any operation overlapping the year,
    ``operations`` is ``[]`` and ``fse`` is ``{}`` (1 query instead of 5)."""
    plies = _plies(plie)
    bilan = bilan_periode(
        Perimetre(frozenset(p.pk for p in plies), referent_id, prescripteur_id), Periode.annee(annee)
    )
    codes = sorted(p.code for p in plies)
    operations, fse = operations_et_fse(frozenset(p.pk for p in plies), Periode.annee(annee))
    return {
        "plie": codes[0] if isinstance(plie, (Structure, str)) else codes,
        "annee": annee,
        **bilan,
        "operations": operations,
        "fse": fse,
        "regle": REGLE_BILAN,  # the counting rule, printed on the bilan's face
    }


def operations_et_fse(plie_ids, periode):
    """The ``operations`` and ``fse`` sections (see :func:`bilan_annuel`), from the operations
    app's selectors (its rules: occupancy, nomenclatures, the 4-week exit window)."""
    aujourd_hui = timezone.localdate()
    toutes = operations_des_plie(plie_ids)
    operations = bilan_operations(plie_ids, periode.debut, periode.fin, aujourd_hui, operations=toutes)
    if not operations:
        return [], {}
    ids = [operation.pk for operation in toutes]
    return operations, bilan_fse(plie_ids, periode.debut, periode.fin, aujourd_hui, operation_ids=ids)


def _plies(plie):
    if isinstance(plie, Structure):
        return [plie]
    wanted = [plie] if isinstance(plie, str) else list(plie)
    if all(isinstance(p, Structure) for p in wanted):
        return wanted
    codes = {p.code if isinstance(p, Structure) else p for p in wanted}
    found = list(Structure.objects.plies().filter(code__in=codes))
    missing = codes - {p.code for p in found}
    if missing:
        raise PlieInconnu(f"PLIE inconnu : {', '.join(sorted(missing))}.")
    return found


@reads_from_replica
def bilan_periode(perimetre, periode):
    """The figures of the bilan for any period (a year, a month for the monthly reporting…):
    ``flux``, ``taux``, ``repartitions``, ``duree_moyenne_parcours_mois`` and ``etapes``
    (5 queries: the flow table with the référents' and prescripteurs' rows, the public-category
    cube, the étapes, the main étapes, the entretiens; 4 on PostgreSQL, where both étapes
    sections come from one query)."""
    compteurs, referents, prescripteurs = queries.compter_et_repartir(perimetre, periode)
    flux = queries.flux_depuis(compteurs)
    return {
        "flux": flux,
        "taux": indicateurs.taux_du_flux(flux),
        "repartitions": repartitions(queries.lignes_categories(perimetre, periode), referents, prescripteurs),
        "duree_moyenne_parcours_mois": indicateurs.duree_moyenne_mois(
            compteurs["duree_sorties"].days if compteurs["duree_sorties"] is not None else 0,
            compteurs["sorties"],
        ),
        "etapes": etapes(
            flux["en_parcours_annee"],
            *queries.lignes_etapes_et_principale(perimetre, periode),
            accompagnement(periode, referents, queries.intensite_entretiens(perimetre, periode)),
        ),
    }


# --- Breakdowns --------------------------------------------------------------------------------

COMPTEURS = ("entrees", "sorties", "sorties_positives", "abandons")


def valeur_repartition(entrees=0, sorties=0, sorties_positives=0, abandons=0):
    """One breakdown value: its counts and its two rates (over its own exits, docs/domaine.md §7)."""
    return {
        "entrees": entrees,
        "sorties": sorties,
        "sorties_positives": sorties_positives,
        "abandons": abandons,
        "taux_sorties_positives": indicateurs.taux_sorties_positives(sorties_positives, sorties),
        "taux_abandons": indicateurs.taux_abandons(abandons, sorties),
    }


def _somme(lignes, keys):
    totals = dict.fromkeys(keys, 0)
    for ligne in lignes:
        for key in keys:
            totals[key] += ligne[key]
    return totals


def _oui_non(value):
    return INCONNU if value is None else (OUI if value else NON)


def repartitions(lignes_categories, lignes_referents, lignes_prescripteurs):
    """``{dimension: {valeur: valeur_repartition}}`` rolled up from the grouped rows of
    ``reporting.flux`` (rows of groups, never of participants). Every value of a closed list
    (sexe, tranches d'âge, oui / non / inconnu, niveaux) is present, even at 0."""
    par_valeur = defaultdict(lambda: defaultdict(list))
    for ligne in lignes_categories:
        ligne = {**ligne, **decoder_faits(ligne["faits_entree"])}
        par_valeur["sexe"][ligne["sexe"]].append(ligne)
        for tranche, bands in TRANCHES_AGE.items():
            if ligne["tranche_age"] in bands:
                par_valeur["tranche_age"][tranche].append(ligne)
        for dimension in ("th", "deld", "brsa", "qpv"):
            par_valeur[dimension][_oui_non(ligne[dimension])].append(ligne)
        par_valeur["niveau_formation"][ligne["niveau_formation"] or INCONNU].append(ligne)

    closed = {
        "sexe": tuple(Sexe.values),
        "tranche_age": tuple(TRANCHES_AGE),
        "th": VALEURS_OUI_NON,
        "deld": VALEURS_OUI_NON,
        "brsa": VALEURS_OUI_NON,
        "qpv": VALEURS_OUI_NON,
        "niveau_formation": VALEURS_NIVEAU,
    }
    result = {
        dimension: {
            valeur: valeur_repartition(**_somme(par_valeur[dimension][valeur], COMPTEURS))
            for valeur in valeurs
        }
        for dimension, valeurs in closed.items()
    }
    result["referent"] = {
        libelle: valeur_repartition(**{k: ligne[k] for k in COMPTEURS})
        for libelle, ligne in _libelles(lignes_referents, _nom_referent).items()
        if any(ligne[k] for k in COMPTEURS)
    }
    result["prescripteur"] = {
        libelle: valeur_repartition(**{k: ligne[k] for k in COMPTEURS})
        for libelle, ligne in _libelles(lignes_prescripteurs, _nom_prescripteur).items()
    }
    return result


def _nom_referent(ligne):
    if ligne["referent_id"] is None:
        return SANS_REFERENT
    nom = f"{ligne['referent__first_name']} {ligne['referent__last_name']}".strip()
    return nom or ligne["referent__email"]


def _nom_prescripteur(ligne):
    return ligne["prescripteur__nom"] or SANS_PRESCRIPTEUR


def _libelles(lignes, nommer):
    """Rows keyed by a readable label, sorted; two homonyms are told apart by their number."""
    noms = [nommer(ligne) for ligne in lignes]
    homonymes = {nom for nom in noms if noms.count(nom) > 1}
    keyed = {}
    for nom, ligne in zip(noms, lignes, strict=True):
        ident = ligne.get("referent_id", ligne.get("prescripteur_id"))
        keyed[f"{nom} (n° {ident})" if nom in homonymes else nom] = ligne
    return dict(sorted(keyed.items()))


# --- Étapes and accompaniment ----------------------------------------------------------------


def etapes(participants, lignes_etapes, lignes_principale, accompagnement):
    """Steps of the participants in parcours during the period (docs/domaine.md §7 « Steps », ``001``
    l.712–735):

    - ``etapes_par_participant`` = étapes running during the period / participants in parcours
      during it (1.82 nationally in 2016);
    - ``par_categorie``: per step category, the étapes running, those started, and the
      participants who had one;
    - ``categorie_principale``: participants by main step category (the one with the most days
      in the period), ``sans_etape`` for those without;
    - ``emplois``: jobs started in the period, « emplois de parcours » vs lasting jobs;
    - ``accompagnement``: the intensity of accompaniment (see :func:`accompagnement`)."""
    par_categorie = {
        categorie: {"etapes": 0, "debutees": 0, "participants": 0} for categorie in CategorieEtape.values
    }
    for ligne in lignes_etapes:
        par_categorie[ligne["type__categorie"]] = {
            "etapes": ligne["etapes"],
            "debutees": ligne["debutees"],
            "participants": ligne["participants"],
        }
    principale = dict.fromkeys(CategorieEtape.values, 0)
    for ligne in lignes_principale:
        principale[ligne["categorie"]] = ligne["participants"]
    principale[SANS_ETAPE] = participants - sum(principale.values())
    total = sum(c["etapes"] for c in par_categorie.values())
    return {
        "participants": participants,
        "etapes": total,
        "etapes_par_participant": indicateurs.taux(total, participants),
        "participants_avec_etape": participants - principale[SANS_ETAPE],
        "par_categorie": par_categorie,
        "categorie_principale": principale,
        "emplois": {
            "emplois_de_parcours": sum(par_categorie[c]["debutees"] for c in EMPLOIS_DE_PARCOURS),
            "emplois_durables": sum(par_categorie[c]["debutees"] for c in EMPLOIS_DURABLES),
        },
        "accompagnement": accompagnement,
    }


def _intensite(participants_mois, entretiens, sans_contact):
    return {
        "participants_mois": participants_mois,
        "entretiens": entretiens,
        "entretiens_par_participant_par_mois": indicateurs.entretiens_par_participant_par_mois(
            entretiens, participants_mois
        ),
        "sans_contact_mois": sans_contact,
        "part_sans_contact": indicateurs.part_sans_contact(sans_contact, participants_mois),
    }


def accompagnement(periode, lignes_referents, intensite):
    """The intensity of accompaniment (issue 7; docs/domaine.md §3.4: at least one entretien a month).

    For each month the period touches, the participants in parcours during the month, the
    entretiens held with them while in parcours, and those with no entretien in the month
    (``sans_contact``). Per référent (of the parcours) and in total, over the months:
    ``participants_mois`` = Σ participants in parcours each month, entretiens per participant per
    month = entretiens / participants_mois, ``part_sans_contact`` = Σ sans contact /
    participants_mois. Per mode: entretiens and entretiens per participant per month.

    ``intensite``: the entretiens and the participants met per (référent, month) and the
    entretiens per mode (:func:`reporting.flux.intensite_entretiens`)."""
    mois = periode.mois_couverts()
    index = {cle: i for i, (cle, _) in enumerate(mois)}
    par_referent_mois, modes = intensite
    entretiens = defaultdict(lambda: [0] * len(mois))  # référent id -> per month
    rencontres = defaultdict(lambda: [0] * len(mois))
    for (referent_id, i), (n, participants) in par_referent_mois.items():
        entretiens[referent_id][i] += n
        rencontres[referent_id][i] += participants

    par_mois = {cle: [0, 0, 0] for cle, _ in mois}  # participants, entretiens, sans contact
    par_referent = {}
    for libelle, ligne in _libelles(lignes_referents, _nom_referent).items():
        ref = ligne["referent_id"]
        totals = [0, 0, 0]
        for cle, i in index.items():
            participants = ligne[f"m{i}"]
            valeurs = (participants, entretiens[ref][i], participants - rencontres[ref][i])
            for j, valeur in enumerate(valeurs):
                par_mois[cle][j] += valeur
                totals[j] += valeur
        par_referent[libelle] = _intensite(*totals)

    total = [sum(valeurs[j] for valeurs in par_mois.values()) for j in range(3)]
    participants_mois = total[0]
    return {
        "par_mois": {
            cle: {
                "participants": p,
                "entretiens": e,
                "entretiens_par_participant": indicateurs.taux(e, p),
                "sans_contact": s,
                "part_sans_contact": indicateurs.part_sans_contact(s, p),
            }
            for cle, (p, e, s) in par_mois.items()
        },
        "total": _intensite(*total),
        "par_referent": par_referent,
        "par_mode": {
            mode: {
                "entretiens": n,
                "entretiens_par_participant_par_mois": indicateurs.entretiens_par_participant_par_mois(
                    n, participants_mois
                ),
            }
            for mode, n in modes.items()
        },
    }
