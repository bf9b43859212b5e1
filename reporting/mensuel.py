"""The monthly reporting to a financeur (docs/domaine.md §8, ``003`` l.187–192: « un reporting mensuel des
données d'insertion, à renseigner au plus tard pour le 10 du mois suivant »): for a périmètre
(a PLIE, or the PLIE a financeur is partner of) and a calendar month, the participants
accompanied during the month, in parcours at its end, entered, exited, and the nature of the
exits by category and by exit type. Aggregates only: a financeur may read it.

Counting rule: :data:`reporting.regles_comptage.REGLE_MENSUEL` (stated in
:mod:`reporting.regles_comptage`, printed on the report): **every recorded exit counts**, in the
month of its date, a job exit in the month of hiring as soon as it is recorded, flagged « en
cours de validation » until validated. Definitions: those of :mod:`reporting.flux` (its
predicates over the month, with the recorded exit date
:data:`reporting.flux.DATE_SORTIE_ENREGISTREE`):

- **accompagnés** in the month = in parcours at some point of the month = in parcours on the
  last day of the previous month + entrées of the month;
- **entrées** / **sorties**: ``date_entree`` / the recorded exit date in the month (1st to last
  day, both included); a positive exit counts as positive only once validated, a recorded
  positive exit not validated yet is « en cours de validation »;
- **en parcours en fin de mois**: entered on or before the month's last day and no recorded
  exit dated on or before it (a recorded job exit not validated yet is **not** in parcours);
- en parcours au début + entrées − sorties = en parcours à la fin, and sorties = positives +
  en cours de validation + sans suite, checked on every report
  (:func:`reporting.flux.verifier_invariant`, raising :class:`reporting.flux.FluxIncoherent`).

« Ready on the 1st »: the default month is the previous one (complete on the 1st of the next
month); the current month is given **provisional** (its figures still move); a month not begun
yet is refused. Two queries whatever the data size: the flow counts, the exits by type."""

import datetime
import re

from django.db.models import Count, Q
from django.utils import timezone

from operations.nomenclatures import DEPARTEMENT, classe_departement
from parcours.enums import CATEGORIES_POSITIVES, CategorieSortie
from plie.core.dates import format_date, mois_long
from plie.core.routers import reads_from_replica
from reporting import flux as queries
from reporting import indicateurs
from reporting.exports import Tableau, lignes_face, lignes_taux, tableaux_csv, tableaux_xlsx
from reporting.flux import NON_VALIDEE, Periode
from reporting.regles_comptage import REGLE_MENSUEL

MOIS_RE = re.compile(r"^(\d{4})-(\d{2})$")
ANNEE_MIN, ANNEE_MAX = 2000, 2100
SANS_TYPE = "Sortie sans type renseigné"
EN_COURS_VALIDATION = "en_cours_validation"
# The exit categories in the order of the flow table (positives first).
ORDRE_CATEGORIES = (
    CategorieSortie.EMPLOI_DURABLE,
    CategorieSortie.CREATION_ENTREPRISE,
    CategorieSortie.QUALIFIANTE,
    CategorieSortie.POSITIVE_AUTRE,
    CategorieSortie.ABANDON,
    CategorieSortie.NEUTRALISEE,
    CategorieSortie.AUTRE,
)


class MoisInvalide(ValueError):
    """A month that cannot be reported: malformed, out of range, or not begun yet."""


def libelle_mois(annee, mois):
    """« janvier 2017 »."""
    return mois_long(annee, mois)


def mois_par_defaut(aujourd_hui=None):
    """The month a report asked on ``aujourd_hui`` is about by default: the previous month
    (complete from the 1st of the next one). Returns ``(annee, mois)``."""
    aujourd_hui = aujourd_hui or timezone.localdate()
    veille = aujourd_hui.replace(day=1) - datetime.timedelta(days=1)
    return veille.year, veille.month


def lire_mois(texte):
    """``"AAAA-MM"`` → ``(annee, mois)``; a clear French message otherwise."""
    match = MOIS_RE.match((texte or "").strip())
    if not match:
        raise MoisInvalide(f"Mois « {texte} » invalide : attendu au format AAAA-MM (par exemple 2017-01).")
    annee, mois = int(match.group(1)), int(match.group(2))
    if not 1 <= mois <= 12:
        raise MoisInvalide(f"Mois « {texte} » invalide : le mois doit être compris entre 01 et 12.")
    if not ANNEE_MIN <= annee <= ANNEE_MAX:
        raise MoisInvalide(
            f"Mois « {texte} » invalide : l'année doit être comprise entre {ANNEE_MIN} et {ANNEE_MAX}."
        )
    return annee, mois


def statut_du_mois(annee, mois, aujourd_hui=None):
    """``"definitif"`` for a month over (its last day is before today), ``"provisoire"`` for the
    current month; a month not begun yet raises :class:`MoisInvalide`."""
    aujourd_hui = aujourd_hui or timezone.localdate()
    periode = Periode.mois(annee, mois)
    if periode.debut > aujourd_hui:
        raise MoisInvalide(
            f"Le mois de {libelle_mois(annee, mois)} n'a pas commencé : "
            "le reporting mensuel porte sur un mois commencé (provisoire) ou terminé."
        )
    return "provisoire" if periode.fin >= aujourd_hui else "definitif"


def lignes_types_sortie(perimetre, periode):
    """The recorded exits of the period per exit type (one grouped query): ``type_id``,
    ``code``, ``libelle``, ``categorie`` (``None`` for an exit date without its Sortie row), the
    exits and those validated."""
    return list(
        queries.avec_sortie_enregistree(perimetre.parcours())
        .filter(queries.sorti_pendant(periode, sortie=queries.DATE_SORTIE_ENREGISTREE))
        .values(
            "sortie__type_id",
            "sortie__type__code",
            "sortie__type__libelle",
            "sortie__type__categorie",
            "sortie__type__categorie_departement",
        )
        .annotate(
            sorties=Count("pk"),
            validees=Count("pk", filter=Q(sortie__validee=True)),
            en_cours_validation=Count("pk", filter=Q(sortie__validee=False)),
        )
        .order_by()
    )


def par_type(lignes):
    """The exits by type, in the referential's category order then by label. ``positives``: the
    exits counted as positive (a positive category, validated); ``en_cours_validation``: the
    recorded exits not validated yet (the flag of the line)."""
    rang = {categorie: i for i, categorie in enumerate(ORDRE_CATEGORIES)}
    resultat = []
    for ligne in lignes:
        categorie = ligne["sortie__type__categorie"]
        resultat.append(
            {
                "code": ligne["sortie__type__code"] or "",
                "libelle": ligne["sortie__type__libelle"] or SANS_TYPE,
                "categorie": categorie or "",
                "categorie_departement": ligne["sortie__type__categorie_departement"] or "",
                "sorties": ligne["sorties"],
                "validees": ligne["validees"],
                "en_cours_validation": ligne["en_cours_validation"],
                "positives": ligne["validees"] if categorie in CATEGORIES_POSITIVES else 0,
            }
        )
    return sorted(resultat, key=lambda t: (rang.get(t["categorie"], len(rang)), t["libelle"], t["code"]))


def par_classe_departement(types):
    """The month's exits in the Département's nomenclature (docs/domaine.md §5, seed 003 l.175-192): each
    exit type's class (``TypeSortie.categorie_departement``) through
    :func:`operations.nomenclatures.classe_departement`; a recorded exit counts in its class as
    soon as it is recorded, validated or « en cours de validation » (the report's rule,
    :data:`reporting.regles_comptage.REGLE_MENSUEL`); an exit date without its Sortie row is
    « autre »; ``dynamique`` = durable + transition + positive."""
    classes = {classe.code: 0 for classe in DEPARTEMENT}
    for t in types:
        enregistrees = t["validees"] + t["en_cours_validation"]
        classes[classe_departement(t["categorie_departement"], True)] += enregistrees
        classes[classe_departement(t["categorie_departement"], False)] += t["sorties"] - enregistrees
    for classe in DEPARTEMENT:
        if classe.somme_de:  # « dynamique » = durable + transition + positive
            classes[classe.code] = sum(classes[code] for code in classe.somme_de)
    return classes


def par_categorie(flux):
    """The exits by the PLIE's category of the exit referential, as the flow table counts them
    (a positive category counts only its validated exits; its recorded exits not validated yet
    are ``en_cours_validation``), création d'entreprise on its own line; an exit without its
    type falls into « autre »."""
    categories = dict(flux["sorties_par_categorie"])
    en_cours = flux.get("sorties_en_cours_validation", 0)
    categories[CategorieSortie.AUTRE.value] += categories.pop(NON_VALIDEE) - en_cours
    resultat = {}
    for categorie in ORDRE_CATEGORIES:
        if categorie not in CATEGORIES_POSITIVES and EN_COURS_VALIDATION not in resultat:
            resultat[EN_COURS_VALIDATION] = en_cours
        resultat[categorie.value] = categories[categorie.value]
    return resultat


@reads_from_replica
def reporting_mensuel(perimetre, annee, mois, *, codes=(), aujourd_hui=None):
    """The monthly reporting of ``perimetre`` (a :class:`reporting.selectors.Perimetre`, the caller
    scopes it) for the month ``annee``-``mois`` (2 queries)::

        {"plie": ["CODE", ...], "mois": "AAAA-MM", "debut": "AAAA-MM-JJ", "fin": "AAAA-MM-JJ",
         "statut": "definitif" | "provisoire",
         "accompagnes": int,             # in parcours during the month (début + entrées)
         "en_parcours_debut": int,       # on the last day of the previous month
         "entrees": int, "sorties": int,
         "en_parcours_fin": int,         # on the month's last day
         "sorties_positives": {"total", "emploi_durable", "qualifiante", "autres"},  # validated
         "sorties_en_cours_validation": int,  # positive types recorded, not validated yet
         "sorties_sans_suite": {"total", "abandons", "neutralisees", "autres"},
         "en_cours_validation": int,     # every recorded exit not validated yet (the flag)
         "sorties_par_categorie": {"<categorie>": int},
         "sorties_par_type": [{"code", "libelle", "categorie", "categorie_departement",
                               "sorties", "validees", "en_cours_validation", "positives"}],
         "sorties_departement": {"emploi_durable", "emploi_transition", "positive",
                                 "dynamique", "autre"},  # the Département's nomenclature
         "taux": {...},                  # reporting.indicateurs.taux_du_flux, None on 0
         "regle": str}                   # the counting rule printed on the report's face

    Raises :class:`MoisInvalide` for a month not begun yet, :class:`reporting.flux.FluxIncoherent`
    if the data breaks the invariant."""
    statut = statut_du_mois(annee, mois, aujourd_hui)
    periode = Periode.mois(annee, mois)
    # checks début + entrées − sorties = fin, exits dated by their recorded date
    flux = queries.flux_depuis(queries.compter(perimetre, periode, sorties_enregistrees=True))
    types = par_type(lignes_types_sortie(perimetre, periode))
    sorties = indicateurs.total_sorties(flux)
    if sum(t["sorties"] for t in types) != sorties:
        raise queries.FluxIncoherent(
            f"Sorties par type : {sum(t['sorties'] for t in types)} comptées, {sorties} attendues."
        )
    return {
        "plie": sorted(codes),
        "mois": f"{annee:04d}-{mois:02d}",
        "debut": periode.debut.isoformat(),
        "fin": periode.fin.isoformat(),
        "statut": statut,
        "accompagnes": flux["en_parcours_annee"],
        "en_parcours_debut": flux["en_parcours_debut"],
        "entrees": flux["entrees"],
        "sorties": sorties,
        "en_parcours_fin": flux["en_parcours_fin"],
        "sorties_positives": flux["sorties_positives"],
        "sorties_en_cours_validation": flux["sorties_en_cours_validation"],
        "sorties_sans_suite": flux["sorties_sans_suite"],
        "en_cours_validation": sum(t["en_cours_validation"] for t in types),
        "sorties_par_categorie": par_categorie(flux),
        "sorties_par_type": types,
        "sorties_departement": par_classe_departement(types),
        "taux": indicateurs.taux_du_flux(flux),
        "regle": REGLE_MENSUEL,
    }


# --- As files ----------------------------------------------------------------------------------

LIBELLES_CATEGORIES = {
    **dict(CategorieSortie.choices),
    "en_cours_validation": "Positive — en cours de validation",
}


def _date(iso):
    return format_date(datetime.date.fromisoformat(iso))


def tableaux(rapport):
    """The report's tables, in the order of the page."""
    positives, sans_suite = rapport["sorties_positives"], rapport["sorties_sans_suite"]
    veille = datetime.date.fromisoformat(rapport["debut"]) - datetime.timedelta(days=1)
    taux = rapport["taux"]
    return [
        Tableau(
            "Flux du mois",
            ("Indicateur", "Participants"),
            [
                [f"En parcours au {veille:%d/%m/%Y}", rapport["en_parcours_debut"]],
                ["Entrées dans le mois", rapport["entrees"]],
                ["Participants accompagnés dans le mois", rapport["accompagnes"]],
                ["Sorties dans le mois", rapport["sorties"]],
                ["dont sorties positives", positives["total"]],
                ["dont emploi durable", positives["emploi_durable"]],
                ["dont sortie qualifiante", positives["qualifiante"]],
                ["dont autres sorties positives", positives["autres"]],
                ["dont sorties positives en cours de validation", rapport["sorties_en_cours_validation"]],
                ["dont sorties sans suite", sans_suite["total"]],
                ["dont abandons", sans_suite["abandons"]],
                ["dont déménagements, décès, retraites (neutralisées)", sans_suite["neutralisees"]],
                ["dont autres (y compris réorientations)", sans_suite["autres"]],
                ["Sorties en cours de validation (toutes)", rapport["en_cours_validation"]],
                [f"En parcours au {_date(rapport['fin'])}", rapport["en_parcours_fin"]],
            ],
        ),
        Tableau(
            "Sorties par catégorie",
            ("Catégorie de sortie", "Sorties"),
            [
                [LIBELLES_CATEGORIES[categorie], nombre]
                for categorie, nombre in rapport["sorties_par_categorie"].items()
            ],
        ),
        Tableau(
            "Sorties — nomenclature du Département",
            ("Classe de sortie", "Sorties"),
            [
                *([classe.libelle, rapport["sorties_departement"][classe.code]] for classe in DEPARTEMENT),
                ["dont en cours de validation", rapport["en_cours_validation"]],
            ],
        ),
        Tableau(
            "Sorties par type",
            (
                "Type de sortie",
                "Code",
                "Catégorie",
                "Sorties",
                "dont comptées positives",
                "dont en cours de validation",
            ),
            [
                [
                    t["libelle"],
                    t["code"],
                    LIBELLES_CATEGORIES.get(t["categorie"], "Non renseignée"),
                    t["sorties"],
                    t["positives"],
                    t["en_cours_validation"],
                ]
                for t in rapport["sorties_par_type"]
            ],
        ),
        Tableau(
            "Taux",
            ("Indicateur", "Valeur", "Définition"),
            lignes_taux(taux, "entrées du mois"),
            colonnes_taux=(1,),
        ),
    ]


def _titre(rapport):
    annee, mois = lire_mois(rapport["mois"])
    statut = " (provisoire)" if rapport["statut"] == "provisoire" else ""
    return f"Reporting mensuel — {', '.join(rapport['plie'])} — {libelle_mois(annee, mois)}{statut}"


def nom_fichier(rapport, extension):
    return f"reporting-mensuel-{'-'.join(rapport['plie'])}-{rapport['mois']}.{extension}"


def export_csv(rapport):
    """As the bilan's CSV, after a title line naming the PLIE and the month."""
    return tableaux_csv(
        tableaux(rapport),
        titre_tableau=lambda tableau: tableau.titre,
        en_tete=[_titre(rapport), *lignes_face(rapport)],
    )


def export_xlsx(rapport):
    return tableaux_xlsx(tableaux(rapport), titre=_titre(rapport), en_tete=lignes_face(rapport))


def export_pdf(rapport):
    """The report as a PDF (WeasyPrint, loaded only when asked): ``reporting.pdf.render_mensuel``."""
    from reporting.pdf import render_mensuel

    return render_mensuel(rapport)


EXPORTS = {
    "csv": (export_csv, "text/csv; charset=utf-8"),
    "pdf": (export_pdf, "application/pdf"),
    "xlsx": (export_xlsx, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
}
