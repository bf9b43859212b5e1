"""The exit nomenclatures an operation's results are judged by (``Operation.nomenclature``).

One exit (a parcours' :class:`parcours.models.Sortie`, of a PLIE's exit type) falls in one
**class** of the nomenclature; the results table gives, per class, the number of exits and their
share of the action's exits, next to the operation's target when it has one.

- **PLIE** (docs/domaine.md §5, §7 « annual flow table »): the exit type's own category
  (``TypeSortie.categorie``): emploi durable, création d'entreprise, sortie qualifiante, autre
  positive (their sum: the sorties positives), neutralisée, abandon, autre. A positive category
  counts only once the exit is validated (``Sortie.validee``, docs/domaine.md §5 (c)); an unvalidated
  one counts as « autre ».
- **Département** (docs/domaine.md §5, seed 003 l.175-181, targets l.716-717, l.794-797, l.871-872):
  each exit type's class is a setting of the PLIE's referential
  (``TypeSortie.categorie_departement``, its administrateur's exit type form; defaults and the
  data migration from ``parcours.referentiels.categorie_departement_par_defaut``):
  - *emploi durable*: CDI, CDD of 6 months or more (default: the PLIE category ``emploi_durable``);
  - *emploi de transition*: CDD of less than 6 months, short intérim (default: the codes of
    ``parcours.referentiels.CODES_TRANSITION``; the default referential has none);
  - *sortie positive*: formation qualifiante, another insertion action, other rights, a SIAE
    contract (default: the categories ``qualifiante`` and ``positive_autre``);
  - *sortie dynamique* = durable + transition + positive;
  - everything else (an empty class: neutralised, abandon, other) is « autre sortie ».
  The same validation rule applies: an unvalidated emploi durable / positive is « autre ».
"""

from dataclasses import dataclass

from parcours.enums import CATEGORIES_POSITIVES, CategorieSortie


@dataclass(frozen=True)
class Classe:
    code: str
    libelle: str
    objectif: str | None = None  # the Operation field holding the target (a percentage)
    somme_de: tuple = ()  # a total class: the sum of these classes


PLIE = (
    Classe("emploi_durable", "Emploi durable", "objectif_emploi_durable"),
    Classe("creation_entreprise", "Création d'entreprise"),
    Classe("qualifiante", "Sortie qualifiante"),
    Classe("positive_autre", "Autre sortie positive"),
    Classe(
        "sorties_positives",
        "Sorties positives (total)",
        "objectif_sorties_positives",
        ("emploi_durable", "creation_entreprise", "qualifiante", "positive_autre"),
    ),
    Classe("neutralisee", "Sortie neutralisée (déménagement, décès, retraite…)"),
    Classe("abandon", "Abandon"),
    Classe("autre", "Autre sortie (dont positive non validée)"),
)

DEPARTEMENT = (
    Classe("emploi_durable", "Emploi durable (CDI, CDD de 6 mois et plus)", "objectif_emploi_durable"),
    Classe(
        "emploi_transition", "Emploi de transition (CDD de moins de 6 mois)", "objectif_emploi_transition"
    ),
    Classe(
        "positive",
        "Sortie positive (formation qualifiante, action d'insertion, SIAE…)",
        "objectif_sorties_positives",
    ),
    Classe(
        "dynamique",
        "Sorties dynamiques (durable + transition + positive)",
        "objectif_sorties_dynamiques",
        ("emploi_durable", "emploi_transition", "positive"),
    ),
    Classe("autre", "Autre sortie"),
)

NOMENCLATURES = {"plie": PLIE, "departement": DEPARTEMENT}


def classe_plie(categorie, validee):
    """The PLIE class of an exit of ``categorie`` (validated or not)."""
    if categorie in CATEGORIES_POSITIVES and not validee:
        return "autre"
    if categorie in CategorieSortie.values:
        return categorie
    return "autre"


CLASSES_A_VALIDER = frozenset({"emploi_durable", "positive"})


def classe_departement(categorie_departement, validee):
    """The Département class of an exit whose type is set to ``categorie_departement``
    (``TypeSortie.categorie_departement``, ``""`` = autre), validated or not."""
    if categorie_departement in CLASSES_A_VALIDER and not validee:
        return "autre"
    if categorie_departement in ("emploi_durable", "emploi_transition", "positive"):
        return categorie_departement
    return "autre"


def classer(nomenclature, categorie, categorie_departement, validee):
    """The class of an exit in ``nomenclature`` from its type's PLIE category and Département class."""
    if nomenclature == "departement":
        return classe_departement(categorie_departement, validee)
    return classe_plie(categorie, validee)


def taux(numerateur, denominateur):
    """A share in 0..1, ``None`` when there is nothing to divide by."""
    return numerateur / denominateur if denominateur else None


def resultats(nomenclature, lignes, operation):
    """The results table of an operation: ``lignes`` is ``[(categorie, categorie_departement,
    validee, n)]`` (the exits of its participants grouped by exit type); returns ``{"sorties": int, "classes":
    [{"code", "libelle", "nombre", "taux", "objectif", "ecart", "atteint"}]}`` where ``taux`` is
    over all the action's exits (docs/domaine.md §7), ``objectif`` the target in 0..1 and ``ecart`` the
    difference (``None`` without a target or without exits)."""
    classes = NOMENCLATURES.get(nomenclature, PLIE)
    nombres = {c.code: 0 for c in classes}
    total = 0
    for categorie, categorie_departement, validee, n in lignes:
        nombres[classer(nomenclature, categorie, categorie_departement, validee)] += n
        total += n
    rows = []
    for classe in classes:
        nombre = sum(nombres[c] for c in classe.somme_de) if classe.somme_de else nombres[classe.code]
        part = taux(nombre, total)
        valeur_objectif = getattr(operation, classe.objectif) if classe.objectif else None
        objectif = float(valeur_objectif) / 100 if valeur_objectif is not None else None
        ecart = part - objectif if part is not None and objectif is not None else None
        rows.append(
            {
                "code": classe.code,
                "libelle": classe.libelle,
                "nombre": nombre,
                "taux": part,
                "objectif": objectif,
                "ecart": ecart,
                "atteint": ecart >= 0 if ecart is not None else None,
                "total": bool(classe.somme_de),
            }
        )
    return {"sorties": total, "classes": rows}
