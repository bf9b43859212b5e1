"""Periods that close (issue 13): a month of the Département's monthly report or a year of the
PLIE's bilan (with its FSE indicators), closed by a gestionnaire of the PLIE, is stored once
(:class:`reporting.models.Cloture`) and **always shown from its stored version**: the page, its
files, the API, the export jobs and ``manage.py bilan``.

A later change of the period's data (an exit of March validated in September with another date,
an entry back-dated, an exit withdrawn…) never changes a closed report silently: the report
compares its stored figures with the figures the data gives today and shows a
**rectificatif**: each figure that differs (clôturé, actuel) and the participants behind the
difference. The gestionnaire may then close version 2; version 1 stays, downloadable.

- ``chiffres``: the report as the API returns it, through JSON (:func:`normaliser`);
- ``faits``: per parcours counted by the report, the figures (flattened keys of ``chiffres``,
  :func:`aplatir`) it counts in. The participants behind a difference on a figure are the
  parcours that count in it on one side and not on the other (:func:`participants_derriere`);
  a difference on a figure the facts do not cover (a breakdown, a rate, an FSE indicator) is
  shown without participants;
- ``empreinte``: sha256 of the canonical JSON of both (:func:`empreinte`), which the nightly
  check recomputes (``reporting.services.clotures_verifier``).

The rules here are plain functions over values (no query) but for :func:`calculer` and
:func:`faits_du_mois` / :func:`faits_de_l_annee` (one query each)."""

import hashlib
import json
import re

from django.core.serializers.json import DjangoJSONEncoder
from django.utils import timezone

from operations.nomenclatures import DEPARTEMENT, classe_departement
from parcours.enums import CATEGORIES_POSITIVES, CategorieSortie
from reporting import flux as queries
from reporting.flux import Periode
from reporting.models import Cloture

MENSUEL, BILAN = Cloture.Rapport.MENSUEL, Cloture.Rapport.BILAN
ANNEE_RE = re.compile(r"^\d{4}$")


class PeriodeNonCloturable(ValueError):
    """A period that cannot be closed: malformed, not over yet, or unchanged since its last version."""


# --- Periods ------------------------------------------------------------------------------------


def lire_periode(rapport, texte):
    """``"AAAA-MM"`` for the monthly report, ``"AAAA"`` for the bilan → the :class:`Periode`
    (a French :class:`PeriodeNonCloturable` otherwise)."""
    from reporting import mensuel

    texte = (texte or "").strip()
    if rapport == MENSUEL:
        try:
            return Periode.mois(*mensuel.lire_mois(texte))
        except mensuel.MoisInvalide as exc:
            raise PeriodeNonCloturable(str(exc)) from None
    if rapport == BILAN:
        if not ANNEE_RE.match(texte) or not mensuel.ANNEE_MIN <= int(texte) <= mensuel.ANNEE_MAX:
            raise PeriodeNonCloturable(f"Année « {texte} » invalide : attendu AAAA (par exemple 2016).")
        return Periode.annee(int(texte))
    raise PeriodeNonCloturable(f"Rapport « {rapport} » inconnu.")


def libelle_periode(rapport, periode):
    """« mars 2026 » / « 2026 »."""
    from reporting import mensuel

    if rapport == MENSUEL:
        annee, mois = mensuel.lire_mois(periode)
        return mensuel.libelle_mois(annee, mois)
    return periode


def verifier_terminee(rapport, texte, aujourd_hui=None):
    """A period is closed once it is over: its last day before today."""
    aujourd_hui = aujourd_hui or timezone.localdate()
    periode = lire_periode(rapport, texte)
    if periode.fin >= aujourd_hui:
        quoi = f"Le mois de {libelle_periode(rapport, texte)} n'est pas terminé"
        if rapport == BILAN:
            quoi = f"L'année {texte} n'est pas terminée"
        raise PeriodeNonCloturable(f"{quoi} : on ne clôture qu'une période passée.")
    return periode


# --- Figures and facts --------------------------------------------------------------------------


def normaliser(valeur):
    """``valeur`` as it reads back from a JSONField (dates in ISO, int keys as strings…), so
    that stored and current figures compare equal when the data did not change."""
    return json.loads(json.dumps(valeur, cls=DjangoJSONEncoder))


def empreinte(chiffres, faits):
    """sha256 (hex) of the canonical JSON of the figures and the facts: the data's fingerprint."""
    texte = json.dumps(
        {"chiffres": chiffres, "faits": faits}, sort_keys=True, ensure_ascii=False, cls=DjangoJSONEncoder
    )
    return hashlib.sha256(texte.encode()).hexdigest()


def _cle_type(ligne):
    return ligne.get("code") or ligne.get("libelle") or "?"


def aplatir(valeur, prefixe=""):
    """``{"a": {"b": 1}, "l": [{"code": "X", "n": 2}]}`` → ``{"a.b": 1, "l.X.n": 2}``: every leaf
    of the figures by its path; a list of rows is keyed by each row's ``code`` (else its
    ``libelle``, else its index)."""
    resultat = {}
    if isinstance(valeur, dict):
        for cle, sous in valeur.items():
            resultat.update(aplatir(sous, f"{prefixe}{cle}."))
    elif isinstance(valeur, list):
        for i, sous in enumerate(valeur):
            cle = _cle_type(sous) if isinstance(sous, dict) else str(i)
            if isinstance(sous, dict) and not (sous.get("code") or sous.get("libelle")):
                cle = str(i)
            resultat.update(aplatir(sous, f"{prefixe}{cle}."))
    else:
        resultat[prefixe.rstrip(".")] = valeur
    return resultat


# Figures that describe the report rather than count anything: never a difference.
CLES_DESCRIPTIVES = ("statut", "regle", "cloture", "plie", "mois", "debut", "fin", "annee")

LIBELLES = {
    "accompagnes": "Participants accompagnés",
    "en_parcours_debut": "En parcours au début",
    "entrees": "Entrées",
    "sorties": "Sorties",
    "en_parcours_fin": "En parcours à la fin",
    "en_parcours_annee": "En parcours pendant la période",
    "en_cours_validation": "Sorties en cours de validation (toutes)",
    "sorties_en_cours_validation": "Sorties positives en cours de validation",
    "sorties_positives.total": "Sorties positives",
    "sorties_positives.emploi_durable": "dont emploi durable",
    "sorties_positives.qualifiante": "dont sortie qualifiante",
    "sorties_positives.autres": "dont autres sorties positives",
    "sorties_sans_suite.total": "Sorties sans suite",
    "sorties_sans_suite.abandons": "dont abandons",
    "sorties_sans_suite.neutralisees": "dont déménagements, décès, retraites",
    "sorties_sans_suite.autres": "dont autres sorties sans suite",
}


CHAMPS_TYPE = {
    "sorties": "sorties",
    "validees": "validées",
    "en_cours_validation": "en cours de validation",
    "positives": "comptées positives",
}
TAUX = {
    "sorties_positives_sur_sorties": "Taux de sorties positives",
    "sorties_positives_hors_neutralisees": "Taux de sorties positives hors sorties neutralisées",
    "sorties_positives_sur_entrees": "Taux de sorties positives sur les entrées",
    "abandons_sur_sorties": "Taux d'abandons",
}


def libelle_cle(cle):
    """A figure's French label: the flow table's names, the exit breakdowns' lines, the rates;
    else its path (« repartitions › sexe › … »)."""
    from reporting.mensuel import LIBELLES_CATEGORIES

    nue = cle.removeprefix("flux.")
    if nue in LIBELLES:
        return LIBELLES[nue]
    parties = nue.split(".")
    if parties[0] == "sorties_par_type" and len(parties) >= 3:
        code, champ = ".".join(parties[1:-1]), parties[-1]
        return f"Sorties de type {code} — {CHAMPS_TYPE.get(champ, champ)}"
    if parties[0] == "sorties_par_categorie" and len(parties) == 2:
        return f"Sorties par catégorie — {LIBELLES_CATEGORIES.get(parties[1], parties[1])}"
    if parties[0] == "sorties_departement" and len(parties) == 2:
        classes = {classe.code: classe.libelle for classe in DEPARTEMENT}
        return f"Nomenclature du Département — {classes.get(parties[1], parties[1])}"
    if parties[0] == "taux" and len(parties) == 2:
        return TAUX.get(parties[1], parties[1])
    return " › ".join(parties)


def differences(cloture, actuel):
    """The figures that differ, in the stored report's order then the new ones:
    ``[(cle, libelle, clôturé, actuel)]`` (``None`` for a figure absent on one side)."""
    avant = {k: v for k, v in aplatir(cloture).items() if k.split(".")[0] not in CLES_DESCRIPTIVES}
    apres = {k: v for k, v in aplatir(actuel).items() if k.split(".")[0] not in CLES_DESCRIPTIVES}
    cles = list(avant) + [k for k in apres if k not in avant]
    return [(k, libelle_cle(k), avant.get(k), apres.get(k)) for k in cles if avant.get(k) != apres.get(k)]


def parcours_par_cle(faits):
    """``{"cle": {parcours id, ...}}`` from the facts ``{"<parcours id>": {"participant", "cles"}}``."""
    index = {}
    for parcours_id, fait in faits.items():
        for cle in fait["cles"]:
            index.setdefault(cle, set()).add(parcours_id)
    return index


def participants_derriere(cle, faits_cloture, faits_actuels):
    """The participant ids behind a difference on ``cle``: the parcours counted in it on one side
    only (entered, exited, changed category…), sorted. Empty for a figure the facts do not cover."""
    avant = parcours_par_cle(faits_cloture).get(cle, set())
    apres = parcours_par_cle(faits_actuels).get(cle, set())
    ids = set()
    for parcours_id in avant ^ apres:
        fait = faits_actuels.get(parcours_id) or faits_cloture.get(parcours_id)
        ids.add(fait["participant"])
    return sorted(ids)


def rectificatif(cloture_chiffres, cloture_faits, chiffres, faits):
    """The rectificatif of a closed report: ``[{"cle", "libelle", "cloture", "actuel",
    "participants": [participant ids]}]``, empty when nothing changed."""
    return [
        {
            "cle": cle,
            "libelle": libelle,
            "cloture": avant,
            "actuel": apres,
            "participants": participants_derriere(cle, cloture_faits, faits),
        }
        for cle, libelle, avant, apres in differences(cloture_chiffres, chiffres)
    ]


def cles_flux(ligne, periode, *, prefixe="", mensuel=False):
    """The flow-table figures one parcours counts in over ``periode`` (the same definitions as
    :func:`reporting.flux.compter`, in Python over one row): ``ligne`` holds ``date_entree``,
    ``date_sortie`` (the date the report counts by), ``validee`` (``None`` without a Sortie
    row) and ``categorie``. ``mensuel``: the monthly report's keys and its « en cours de
    validation » (``reporting.regles_comptage``)."""
    entree, sortie = ligne["date_entree"], ligne["date_sortie"]
    cles = []

    def dedans(jour):
        return entree <= jour and (sortie is None or sortie > jour)

    if dedans(periode.veille):
        cles.append("en_parcours_debut")
    if periode.debut <= entree <= periode.fin:
        cles.append("entrees")
    if entree <= periode.fin and (sortie is None or sortie >= periode.debut):
        cles.append("accompagnes" if mensuel else "en_parcours_annee")
    if dedans(periode.fin):
        cles.append("en_parcours_fin")
    if sortie is not None and periode.debut <= sortie <= periode.fin:
        if mensuel:
            cles.append("sorties")
        categorie, validee = ligne["categorie"], ligne["validee"]
        if categorie in CATEGORIES_POSITIVES and validee:
            sous = {"emploi_durable": "emploi_durable", "qualifiante": "qualifiante"}.get(categorie, "autres")
            cles += ["sorties_positives.total", f"sorties_positives.{sous}"]
        elif categorie in CATEGORIES_POSITIVES and validee is False and mensuel:
            cles.append("sorties_en_cours_validation")
        else:
            sous = {CategorieSortie.ABANDON: "abandons", CategorieSortie.NEUTRALISEE: "neutralisees"}
            cles += ["sorties_sans_suite.total", f"sorties_sans_suite.{sous.get(categorie, 'autres')}"]
    return [f"{prefixe}{cle}" for cle in cles]


def cles_sortie_mensuel(ligne):
    """The monthly report's exit breakdown figures one exited parcours counts in: its type's
    line, its category, its class in the Département's nomenclature, the « en cours de
    validation » flag (``reporting.mensuel.par_type`` and ``par_classe_departement``)."""
    from reporting.mensuel import SANS_TYPE

    categorie, validee = ligne["categorie"], ligne["validee"]
    type_ = f"sorties_par_type.{ligne['code'] or SANS_TYPE}"
    cles = [f"{type_}.sorties"]
    enregistree = validee is not None
    if validee:
        cles.append(f"{type_}.validees")
        if categorie in CATEGORIES_POSITIVES:
            cles.append(f"{type_}.positives")
    elif enregistree:
        cles += [f"{type_}.en_cours_validation", "en_cours_validation"]
    if categorie in CATEGORIES_POSITIVES and validee is False:
        cles.append("sorties_par_categorie.en_cours_validation")
    elif categorie in CATEGORIES_POSITIVES or categorie in (
        CategorieSortie.ABANDON,
        CategorieSortie.NEUTRALISEE,
    ):
        cles.append(f"sorties_par_categorie.{categorie}")
    else:
        cles.append("sorties_par_categorie.autre")
    classe = classe_departement(ligne["categorie_departement"] or "", True) if enregistree else "autre"
    cles.append(f"sorties_departement.{classe}")
    if any(classe in c.somme_de for c in DEPARTEMENT):
        cles.append("sorties_departement.dynamique")
    return cles


def _lignes(parcours, champ):
    return parcours.values(
        "pk",
        "participant_id",
        "date_entree",
        champ,
        "sortie__validee",
        "sortie__type__code",
        "sortie__type__categorie",
        "sortie__type__categorie_departement",
    )


def _ligne(row, champ):
    return {
        "date_entree": row["date_entree"],
        "date_sortie": row[champ],
        "validee": row["sortie__validee"],
        "code": row["sortie__type__code"],
        "categorie": row["sortie__type__categorie"],
        "categorie_departement": row["sortie__type__categorie_departement"],
    }


def faits_du_mois(perimetre, periode):
    """The monthly report's facts: per parcours in parcours during the month (exits dated by
    their recorded date), the figures it counts in (one query)."""
    champ = queries.DATE_SORTIE_ENREGISTREE
    parcours = queries.avec_sortie_enregistree(perimetre.parcours()).filter(
        queries.en_parcours_pendant(periode, sortie=champ)
    )
    faits = {}
    for row in _lignes(parcours, champ):
        ligne = _ligne(row, champ)
        cles = cles_flux(ligne, periode, mensuel=True)
        if "sorties" in cles:
            cles += cles_sortie_mensuel(ligne)
        faits[str(row["pk"])] = {"participant": row["participant_id"], "cles": sorted(cles)}
    return faits


def faits_de_l_annee(perimetre, periode):
    """The bilan's facts: per parcours in parcours during the year (validated exits), the flow
    table's figures it counts in, as ``flux.<figure>`` (one query)."""
    parcours = perimetre.parcours().filter(queries.en_parcours_pendant(periode))
    faits = {}
    for row in _lignes(parcours, queries.DATE_SORTIE):
        cles = cles_flux(_ligne(row, queries.DATE_SORTIE), periode, prefixe="flux.")
        faits[str(row["pk"])] = {"participant": row["participant_id"], "cles": sorted(cles)}
    return faits


def calculer(plie, rapport, periode_texte):
    """The report of ``plie`` for the period as the data gives it today, and its facts:
    ``(chiffres, faits)``, both normalised (:func:`normaliser`)."""
    from reporting import mensuel
    from reporting.bilan import bilan_annuel
    from reporting.selectors import Perimetre

    perimetre = Perimetre(frozenset({plie.pk}))
    periode = lire_periode(rapport, periode_texte)
    if rapport == MENSUEL:
        annee, mois = mensuel.lire_mois(periode_texte)
        chiffres = mensuel.reporting_mensuel(perimetre, annee, mois, codes=[plie.code])
        faits = faits_du_mois(perimetre, periode)
    else:
        chiffres = bilan_annuel(plie, periode.debut.year)
        faits = faits_de_l_annee(perimetre, periode)
    return normaliser(chiffres), faits


# --- Serving a closed report --------------------------------------------------------------------


def meta(cloture):
    """What a closed report says about itself on its face (the ``cloture`` key of a served report)."""
    par = cloture.cloturee_par
    nom = (par.get_full_name() or par.email) if par is not None else "—"
    quand = timezone.localtime(cloture.cloturee_le)
    return {
        "version": cloture.version,
        "cloturee_le": quand.isoformat(),
        "cloturee_le_texte": f"{quand:%d/%m/%Y à %H:%M}",
        "cloturee_par": nom,
        "empreinte": cloture.empreinte,
        "modifiee_depuis": cloture.modifiee_depuis.isoformat() if cloture.modifiee_depuis else None,
    }


def servie(cloture):
    """The stored report of ``cloture`` with its ``cloture`` description: what every reader gets."""
    return {**cloture.chiffres, "cloture": meta(cloture)}


def version_servie(plie_id, rapport, periode, version=None):
    """The closure to serve for (PLIE, report, period): ``version`` if given (``None`` if it does
    not exist), else the latest; ``None`` for a period not closed (one query)."""
    clotures = Cloture.objects.select_related("cloturee_par").filter(
        plie_id=plie_id, rapport=rapport, periode=periode
    )
    if version is not None:
        return clotures.filter(version=version).first()
    return clotures.order_by("-version").first()


def periode_texte_mois(annee, mois):
    return f"{annee:04d}-{mois:02d}"


class VersionInconnue(LookupError):
    """A version asked for that was never closed."""


def rapport_servi(plie, rapport, periode_texte, *, version=None):
    """What every reader of the report gets: the stored version of a closed period (the latest,
    or ``version``), else the report computed from today's data. Returns ``(report, cloture or
    None)``; :class:`VersionInconnue` for a version never closed; the live computation's
    exceptions (``reporting.mensuel.MoisInvalide``…) pass through."""
    cloture = version_servie(plie.pk, rapport, periode_texte, version)
    if cloture is not None:
        return servie(cloture), cloture
    if version is not None:
        raise VersionInconnue(f"Pas de version {version} clôturée pour cette période.")
    if rapport == MENSUEL:
        from reporting import mensuel
        from reporting.selectors import Perimetre

        annee, mois = mensuel.lire_mois(periode_texte)
        perimetre = Perimetre(frozenset({plie.pk}))
        return mensuel.reporting_mensuel(perimetre, annee, mois, codes=[plie.code]), None
    from reporting.bilan import bilan_annuel

    return bilan_annuel(plie, int(periode_texte)), None


def etat(cloture, rectif=None):
    """The state of a closed period as the Clôtures page says it."""
    if rectif or cloture.modifiee_depuis is not None:
        return "modifiee"
    return "conforme"
