"""The default referentials every PLIE starts with: its exit types (the table of docs/domaine.md §5)
and the step types offered to every PLIE (global rows, ``plie`` empty).

:func:`create_default_referentiels` runs for every new PLIE (``parcours.signals``, on the
creation of a PLIE structure) and, once, for the PLIE that existed before (data migration
``0002_default_referentiels``). It is idempotent: a code already present is left as the PLIE's
administrator set it (libellé, rule, active or not), only missing codes are created.

:func:`type_sortie_save` is how the PLIE's administrateur then changes the exit referential
(``parcours.views_referentiel``)."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q

from parcours.enums import CATEGORIES_POSITIVES, CLASSES_POSITIVES
from parcours.enums import CategorieEtape as E
from parcours.enums import CategorieSortie as C
from parcours.enums import ClasseNationale as N
from parcours.permissions import can_edit_referentiel
from parcours.sorties import criteres_errors

# The default rules follow the **strictest common reading** of the three seed PLIE tables of
# ``/work/shared/seeds/004`` (Agenais l.407–510, Bordeaux l.1556–1636, Grand Périgueux
# l.3193–3230): for each exit type, the reading that asks for the most work among the tables
# (« même employeur / même agence » wherever one table says it, a weekly minimum wherever one
# table states it, and no « ou 1 200 h » where another table asks for 12 months or 39 weeks:
# 1 200 h are worked in 8 months at 35 h a week). When two readings each ask more than the
# other in some case (intérim: 900 h with gaps, or 6 months part-time without a gap), both are
# kept as alternatives. A PLIE's administrateur then sets its own table
# (``parcours.views_referentiel``). The seed line behind each default is cited on its row.

# CDI « 6 mois ou plus » (004 l.423, l.1565–1566, l.3201): 6 months in the CDI, so with its
# employer (an earlier job elsewhere is not the CDI's 6 months).
CDI = [{"type": "duree_emploi", "mois": 6, "meme_employeur": True}]
# CDD > 6 mois « 6 mois ou plus chez le même employeur » (l.424–431, l.1568–1572, l.3202).
CDD_6M = [{"type": "duree_emploi", "mois": 6, "meme_employeur": True}]
# Intérim: « 900h dans la même agence d'intérim sur les 9 derniers mois » (l.433–437), or « 6 mois
# ou plus dans la même agence, sans interruption entre contrats » (l.1574–1578); Grand
# Périgueux's « 6 mois dans la même agence sur les 12 derniers mois » (l.3204) asks less.
INTERIM = [
    {"type": "heures_fenetre", "heures": 900, "fenetre_mois": 9, "meme_employeur": True},
    {"type": "duree_emploi", "mois": 6, "meme_employeur": True},
]
# Contrats successifs « 39 semaines (ou 1 200 heures) sur période de 12 mois » (l.1580–1585,
# l.3205): 39 weeks, more than Agenais' « 6 mois sur les 9 derniers mois » (l.453–459) and than
# 1 200 h (35 weeks at 35 h).
SUCCESSIFS = [{"type": "semaines_fenetre", "semaines": 39, "fenetre_mois": 12}]
# Création « 6 mois après inscription au RCS » (l.472, l.1606, l.3211).
CREATION = [{"type": "apres_debut", "mois": 6}]
# Formation « Fin de formation ou après 6 mois pour les formations longues » (l.473–477,
# l.1607–1610, l.3213).
FORMATION = [{"type": "fin_formation", "mois_max": 6}]
# Contrats aidés « 20 heures » minimum, « période de validation de 12 mois minimum », validated
# by the commission (l.439–451); 20 h for aided contracts in IAE (l.3207); CDD en EI « 12 mois »
# (l.1589–1590). 12 months of the aided contract, so with its employer.
CONTRAT_AIDE = [{"type": "duree_emploi", "mois": 12, "meme_employeur": True, "heures_hebdo_min": 20}]
# CDD en ETTI « 39 semaines (ou 1 200 heures) sur période de 12 mois » (l.1592–1596, l.3208),
# « chez la même entreprise utilisatrice » and validated by the commission (l.461–470).
ETTI = [{"type": "semaines_fenetre", "semaines": 39, "fenetre_mois": 12, "meme_employeur": True}]
# Other dynamic exits: « tout cas particulier … validation par la commission de sortie »
# (l.479–481), at least the 12 months of the aided contracts (docs/domaine.md §5).
AUTRE_POSITIVE = [{"type": "duree_emploi", "mois": 12}]

# (code, libellé, catégorie, critères, commission requise), in the order users see them.
TYPES_SORTIE = (
    ("CDI", "CDI", C.EMPLOI_DURABLE, CDI, False),
    (
        "CDD_6M",
        "CDD de plus de 6 mois (dont apprentissage et professionnalisation)",
        C.EMPLOI_DURABLE,
        CDD_6M,
        False,
    ),
    (
        "INTERIM_6M",
        "Intérim (900 h dans la même agence sur les 9 derniers mois, ou 6 mois sans interruption "
        "dans la même agence)",
        C.EMPLOI_DURABLE,
        INTERIM,
        False,
    ),
    (
        "CONTRATS_SUCCESSIFS",
        "Contrats successifs (39 semaines sur les 12 derniers mois)",
        C.EMPLOI_DURABLE,
        SUCCESSIFS,
        False,
    ),
    (
        "CREATION_ENTREPRISE",
        "Création d'entreprise (6 mois après l'immatriculation)",
        C.CREATION_ENTREPRISE,
        CREATION,
        False,
    ),
    (
        "FORMATION_QUALIFIANTE",
        "Formation qualifiante en lien avec le projet",
        C.QUALIFIANTE,
        FORMATION,
        False,
    ),
    (
        "CONTRAT_AIDE",
        "Contrat aidé ou CDD en EI (12 mois, 20 h par semaine au moins)",
        C.POSITIVE_AUTRE,
        CONTRAT_AIDE,
        True,
    ),
    (
        "CDD_ETTI",
        "CDD en ETTI (39 semaines sur les 12 derniers mois, même entreprise)",
        C.POSITIVE_AUTRE,
        ETTI,
        True,
    ),
    ("AUTRE_POSITIVE", "Autre sortie positive (dynamique)", C.POSITIVE_AUTRE, AUTRE_POSITIVE, True),
    ("ABANDON", "Abandon", C.ABANDON, [], False),
    # not an abandon: abandons are the participants leaving « de leur propre chef » (001 l.518-519)
    ("NON_RESPECT_CONTRAT", "Non-respect du contrat d'engagement", C.AUTRE, [], False),
    ("DEMENAGEMENT", "Déménagement", C.NEUTRALISEE, [], False),
    ("DECES", "Décès", C.NEUTRALISEE, [], False),
    ("RETRAITE", "Retraite", C.NEUTRALISEE, [], False),
    ("INCARCERATION", "Incarcération de plus de 3 mois", C.NEUTRALISEE, [], False),
    ("MATERNITE", "Maternité sans reprise du parcours", C.NEUTRALISEE, [], False),
    ("REORIENTATION", "Réorientation vers un dispositif plus adapté", C.AUTRE, [], False),
    ("SANTE", "Santé", C.AUTRE, [], False),
    ("AUTRE", "Autre sortie", C.AUTRE, [], False),
)

# (code, libellé, catégorie) of the step types offered to every PLIE.
TYPES_ETAPE = (
    ("atelier-mobilisation", "Atelier de mobilisation", E.MOBILISATION),
    ("bilan-orientation", "Bilan et orientation professionnelle", E.MOBILISATION),
    ("formation-qualifiante", "Formation qualifiante", E.FORMATION_QUALIFIANTE),
    (
        "formation-non-qualifiante",
        "Formation non qualifiante (remise à niveau, FLE…)",
        E.FORMATION_NON_QUALIFIANTE,
    ),
    ("mediation-iod", "Médiation à l'emploi (IOD)", E.MEDIATION_EMPLOI),
    ("immersion-pmsmp", "Immersion PMSMP", E.IMMERSION),
    ("contrat-aci", "Contrat en ACI", E.SIAE),
    ("contrat-ei", "Contrat en EI", E.SIAE),
    ("mission-ai", "Mission en AI", E.SIAE),
    ("mission-etti", "Mission en ETTI", E.SIAE),
    ("contrat-aide-pec", "Contrat aidé (PEC)", E.CONTRAT_AIDE),
    ("emploi-parcours", "Emploi de parcours (CDD court, intérim)", E.EMPLOI_PARCOURS),
    ("emploi-durable", "Emploi durable", E.EMPLOI_DURABLE),
    ("creation-entreprise", "Création d'entreprise", E.CREATION_ENTREPRISE),
    ("freins-mobilite", "Levée de freins : mobilité", E.LEVEE_FREINS),
    ("freins-logement", "Levée de freins : logement", E.LEVEE_FREINS),
    ("freins-sante", "Levée de freins : santé", E.LEVEE_FREINS),
    ("freins-garde-enfants", "Levée de freins : garde d'enfants", E.LEVEE_FREINS),
)


# Exit codes a PLIE records for « emploi de transition » (CDD of less than 6 months, short
# intérim) in the Département's nomenclature; the default referential has none.
CODES_TRANSITION = frozenset({"CDD_MOINS_6M", "CDD_COURT", "INTERIM_COURT", "EMPLOI_TRANSITION"})


def categorie_departement_par_defaut(code, categorie):
    """The default class of an exit type in the Département's nomenclature
    (``TypeSortie.categorie_departement``): transition codes, then by category; ``""`` = autre."""
    if code in CODES_TRANSITION:
        return "emploi_transition"
    if categorie in (C.EMPLOI_DURABLE, C.CREATION_ENTREPRISE):
        return "emploi_durable"
    if categorie in (C.QUALIFIANTE, C.POSITIVE_AUTRE):
        return "positive"
    return ""


# The national class of each default exit type (``TypeSortie.classe_nationale``), with the seed
# line behind it. Codes not listed take the class of their category (:func:`classe_nationale_par_defaut`).
CLASSES_NATIONALES = {
    # 001 l.499-501: « emploi durable (CDI ou CDD de plus de 6 mois, validés à l'issue des 6 mois) »
    "CDI": N.EMPLOI_DURABLE,
    "CDD_6M": N.EMPLOI_DURABLE,
    "INTERIM_6M": N.EMPLOI_DURABLE,
    "CONTRATS_SUCCESSIFS": N.EMPLOI_DURABLE,
    # docs/domaine.md §5 « positive — emploi durable | création d'entreprise »; 000 l.1653-1655 shows it
    # apart (« 42 % en emploi, 5 % en formation, 1 % en création d'entreprise »): its own PLIE
    # category, counted in emploi durable nationally (a gestionnaire confirms it)
    "CREATION_ENTREPRISE": N.EMPLOI_DURABLE,
    # 001 l.501: « 2 453 sur une sortie qualifiante »
    "FORMATION_QUALIFIANTE": N.QUALIFIANTE,
    # 001 l.501: « 495 autres sorties positives »
    "CONTRAT_AIDE": N.POSITIVE_AUTRE,
    # an insertion company's contract (IAE), like the aided contracts: « autres sorties positives »
    "CDD_ETTI": N.POSITIVE_AUTRE,
    "AUTRE_POSITIVE": N.POSITIVE_AUTRE,
    # 001 l.513, l.518-519: abandons = leaving « de leur propre chef »
    "ABANDON": N.ABANDON,
    # 001 l.515-516: « Autres (y compris évolution vers des dispositifs plus adaptés…) »
    "NON_RESPECT_CONTRAT": N.AUTRE,
    # 001 l.514, l.521-529: only déménagements, décès, retraites are neutralised nationally
    "DEMENAGEMENT": N.DEMENAGEMENT_DECES_RETRAITE,
    "DECES": N.DEMENAGEMENT_DECES_RETRAITE,
    "RETRAITE": N.DEMENAGEMENT_DECES_RETRAITE,
    # neutralised in the PLIE's own rates only (docs/domaine.md §5), « autres » nationally (001 l.515)
    "INCARCERATION": N.AUTRE,
    "MATERNITE": N.AUTRE,
    "REORIENTATION": N.AUTRE,
    "SANTE": N.AUTRE,
    "AUTRE": N.AUTRE,
}

# The national class of a category when the code says nothing more.
CLASSE_DE_CATEGORIE = {
    C.EMPLOI_DURABLE: N.EMPLOI_DURABLE,
    C.CREATION_ENTREPRISE: N.EMPLOI_DURABLE,
    C.QUALIFIANTE: N.QUALIFIANTE,
    C.POSITIVE_AUTRE: N.POSITIVE_AUTRE,
    C.ABANDON: N.ABANDON,
    C.NEUTRALISEE: N.AUTRE,  # the PLIE neutralises it; nationally only moves, deaths, retirements
    C.AUTRE: N.AUTRE,
}


def classe_nationale_par_defaut(code, categorie):
    """The default national class of an exit type: the default referential's own
    (:data:`CLASSES_NATIONALES`, with its seed line), else the class of its category."""
    classe = CLASSES_NATIONALES.get(code)
    if classe is not None and (classe in CLASSES_POSITIVES) == (categorie in CATEGORIES_POSITIVES):
        return classe
    return CLASSE_DE_CATEGORIE.get(categorie, N.AUTRE)


def classe_nationale_errors(categorie, classe):
    """French messages when the national class contradicts the category (a positive exit is
    positive in both, so that the PLIE's and the national counts of positive exits agree)."""
    if classe not in N.values:
        return ["Choisissez la classe de la consolidation nationale."]
    if categorie in C.values and (classe in CLASSES_POSITIVES) != (categorie in CATEGORIES_POSITIVES):
        if categorie in CATEGORIES_POSITIVES:
            return ["Une sortie positive se classe dans une classe positive de la consolidation nationale."]
        return [
            "Une sortie sans suite se classe dans une classe « sans suite » de la consolidation nationale."
        ]
    return []


def ensure_defaults(plie_id, *, type_sortie_model, type_etape_model, bulk_create):
    """Create the missing default rows for ``plie_id`` with the given models (the real ones,
    or the historical ones of a migration) and ``bulk_create(model, objs)``; 4 queries when
    nothing is missing, 2 more per kind of rows created. Returns the number of rows created."""
    fields = {f.name for f in type_sortie_model._meta.get_fields()}

    def departement(code, categorie):
        # The historical models of older migrations have neither class yet.
        classes = {}
        if "categorie_departement" in fields:
            classes["categorie_departement"] = categorie_departement_par_defaut(code, categorie)
        if "classe_nationale" in fields:
            classes["classe_nationale"] = classe_nationale_par_defaut(code, categorie)
        return classes

    existing = set(type_sortie_model.objects.filter(plie_id=plie_id).values_list("code", flat=True))
    sorties = [
        type_sortie_model(
            plie_id=plie_id,
            code=code,
            libelle=libelle,
            categorie=categorie,
            criteres=[dict(critere) for critere in criteres],
            commission_requise=commission,
            ordre=10 * rank,
            **departement(code, categorie),
        )
        for rank, (code, libelle, categorie, criteres, commission) in enumerate(TYPES_SORTIE, start=1)
        if code not in existing
    ]
    if sorties:
        bulk_create(type_sortie_model, sorties)
    existing = set(type_etape_model.objects.filter(plie__isnull=True).values_list("code", flat=True))
    etapes = [
        type_etape_model(plie_id=None, code=code, libelle=libelle, categorie=categorie)
        for code, libelle, categorie in TYPES_ETAPE
        if code not in existing
    ]
    if etapes:
        bulk_create(type_etape_model, etapes)
    return len(sorties) + len(etapes)


def _bulk_create_with_history(model, objs):
    """Exit types keep their history (who changed a rule when) from their creation."""
    from simple_history.utils import bulk_create_with_history

    if hasattr(model, "history"):
        bulk_create_with_history(objs, model, default_change_reason="Référentiel par défaut")
    else:
        model.objects.bulk_create(objs)


@transaction.atomic
def create_default_referentiels(plie):
    """Give ``plie`` the default exit referential (docs/domaine.md §5) and make sure the global step
    types exist. Idempotent (missing codes only); returns the number of rows created."""
    from parcours.models import TypeEtape, TypeSortie

    return ensure_defaults(
        plie.pk,
        type_sortie_model=TypeSortie,
        type_etape_model=TypeEtape,
        bulk_create=_bulk_create_with_history,
    )


# --- editing a PLIE's exit referential (its administrateur, ``parcours.views_referentiel``) ----

ORDRE_MAX = 32767  # a PositiveSmallIntegerField
CODE_CHARS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-")


def normalise_code(code):
    """Codes are written in capitals (« CDD_6M »), whatever was typed."""
    return (code or "").strip().upper()


def code_errors(code):
    """French messages for a malformed exit type code (``[]`` when fine)."""
    if not code:
        return ["Le code est obligatoire."]
    if not set(code) <= CODE_CHARS:
        return ["Le code s'écrit en lettres sans accents, chiffres, « _ » ou « - » (par exemple CDD_6M)."]
    return []


@transaction.atomic
def type_sortie_save(
    *,
    scope,
    plie,
    type_sortie=None,
    code,
    libelle,
    categorie,
    criteres,
    commission_requise=False,
    is_active=True,
    ordre=0,
    categorie_departement=None,
    classe_nationale=None,
):
    """Create (``type_sortie`` ``None``) or change an exit type of ``plie``'s referential.

    ``categorie_departement`` is its class in the Département's nomenclature (``""`` = autre
    sortie; ``None``: kept as it is, or the default of the category for a new type);
    ``classe_nationale`` its line in the national flow table (``None``: kept, or the default of
    :func:`classe_nationale_par_defaut` for a new type or a type whose category changes between
    positive and sans suite).

    Only an administrateur of the PLIE may; the code is unique in the PLIE and no longer
    changes once exits use it (reports and exports read it); the criteria must be well formed
    (:func:`parcours.sorties.criteres_errors`). Deactivating a type hides it from new exits
    and keeps the exits already recorded with it. Raises ``ValidationError`` per field, in
    French; returns the saved type (its history records who changed the rule)."""
    from parcours.models import TypeSortie

    if not can_edit_referentiel(scope, plie.pk):
        raise PermissionDenied
    if type_sortie is not None:
        type_sortie = TypeSortie.objects.select_for_update().get(pk=type_sortie.pk)
        if type_sortie.plie_id != plie.pk:
            raise PermissionDenied
    code = normalise_code(code)
    libelle = (libelle or "").strip()
    criteres = [] if criteres is None else criteres
    errors = {}
    if code_errors(code):
        errors["code"] = code_errors(code)
    elif type_sortie is not None and code != type_sortie.code and type_sortie.sorties.exists():
        errors["code"] = [
            f"Le code « {type_sortie.code} » est déjà utilisé par des sorties enregistrées : "
            "il ne peut plus changer."
        ]
    else:
        others = TypeSortie.objects.filter(plie=plie, code__iexact=code)
        if type_sortie is not None:
            others = others.exclude(pk=type_sortie.pk)
        if others.exists():
            errors["code"] = [f"Le code « {code} » existe déjà dans le référentiel de ce PLIE."]
    if not libelle:
        errors["libelle"] = ["Le libellé est obligatoire."]
    if categorie not in C.values:
        errors["categorie"] = ["Choisissez la catégorie de la sortie."]
    if criteres_errors(criteres):
        errors["criteres"] = criteres_errors(criteres)
    if not isinstance(ordre, int) or not 0 <= ordre <= ORDRE_MAX:
        errors["ordre"] = [f"L'ordre est un nombre entier entre 0 et {ORDRE_MAX}."]
    if categorie_departement is not None and categorie_departement not in TypeSortie.CategorieDepartement:
        errors["categorie_departement"] = ["Choisissez le classement dans la nomenclature du Département."]
    if classe_nationale is None:
        garde = type_sortie is not None and not classe_nationale_errors(
            categorie, type_sortie.classe_nationale
        )
        classe_nationale = (
            type_sortie.classe_nationale if garde else classe_nationale_par_defaut(code, categorie)
        )
    elif categorie in C.values and classe_nationale_errors(categorie, classe_nationale):
        errors["classe_nationale"] = classe_nationale_errors(categorie, classe_nationale)
    if errors:
        raise ValidationError(errors)
    if categorie_departement is None:
        categorie_departement = (
            categorie_departement_par_defaut(code, categorie)
            if type_sortie is None
            else type_sortie.categorie_departement
        )
    if type_sortie is None:
        type_sortie = TypeSortie(plie=plie)
    type_sortie.categorie_departement = categorie_departement
    type_sortie.classe_nationale = classe_nationale
    type_sortie.code = code
    type_sortie.libelle = libelle
    type_sortie.categorie = categorie
    type_sortie.criteres = criteres
    type_sortie.commission_requise = bool(commission_requise)
    type_sortie.is_active = bool(is_active)
    type_sortie.ordre = ordre
    type_sortie._history_user = scope.user
    type_sortie.save()
    return type_sortie


# --- editing the step types of a PLIE (its administrateur, ``parcours.views_referentiel``) ------

CODE_ETAPE_CHARS = frozenset("abcdefghijklmnopqrstuvwxyz0123456789_-")


def normalise_code_etape(code):
    """Step type codes are slugs in lower case (« atelier-cv »), whatever was typed."""
    return (code or "").strip().lower()


def code_etape_errors(code):
    """French messages for a malformed step type code (``[]`` when fine)."""
    if not code:
        return ["Le code est obligatoire."]
    if not set(code) <= CODE_ETAPE_CHARS:
        return [
            "Le code s'écrit en minuscules sans accents, chiffres, « - » ou « _ » (par exemple atelier-cv)."
        ]
    return []


@transaction.atomic
def type_etape_save(*, scope, plie, type_etape=None, code, libelle, categorie, is_active=True):
    """Create (``type_etape`` ``None``) or change one of ``plie``'s own step types.

    Only an administrateur of the PLIE may, and only on the PLIE's own types (the common ones,
    ``plie`` empty, are the national defaults). The code is unique in the PLIE and must not be
    the code of a common type. Deactivating a type hides it from new étapes (``parcours.services.suivi.
    types_etape_for``) and keeps the étapes already recorded with it. Raises ``ValidationError``
    per field, in French; returns the saved type."""
    from parcours.models import TypeEtape

    if not can_edit_referentiel(scope, plie.pk):
        raise PermissionDenied
    if type_etape is not None:
        type_etape = TypeEtape.objects.select_for_update().get(pk=type_etape.pk)
        if type_etape.plie_id != plie.pk:
            raise PermissionDenied
    code = normalise_code_etape(code)
    libelle = (libelle or "").strip()
    errors = {}
    if code_etape_errors(code):
        errors["code"] = code_etape_errors(code)
    else:
        others = TypeEtape.objects.filter(Q(plie__isnull=True) | Q(plie=plie), code__iexact=code)
        if type_etape is not None:
            others = others.exclude(pk=type_etape.pk)
        owners = set(others.values_list("plie_id", flat=True))
        if None in owners:
            errors["code"] = [f"Le code « {code} » est celui d'un type commun à tous les PLIE."]
        elif owners:
            errors["code"] = [f"Le code « {code} » existe déjà dans les types d'étape de ce PLIE."]
    if not libelle:
        errors["libelle"] = ["Le libellé est obligatoire."]
    if categorie not in E.values:
        errors["categorie"] = ["Choisissez la catégorie de l'étape."]
    if errors:
        raise ValidationError(errors)
    if type_etape is None:
        type_etape = TypeEtape(plie=plie)
    type_etape.code = code
    type_etape.libelle = libelle
    type_etape.categorie = categorie
    type_etape.is_active = bool(is_active)
    type_etape.save()
    return type_etape
