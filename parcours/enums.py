from django.db import models


class StatutParcours(models.TextChoices):
    CANDIDAT = "candidat", "Candidat"
    EN_PARCOURS = "en_parcours", "En parcours"
    SUSPENDU = "suspendu", "Suspendu"
    EN_SUIVI_EMPLOI = "suivi_emploi", "En suivi dans l'emploi"
    SORTI = "sorti", "Sorti"
    NON_ADMIS = "non_admis", "Non admis (refusé ou réorienté)"


class DistanceEmploi(models.TextChoices):
    PROCHE = "proche", "Proche de l'emploi"
    MOYENNE = "moyenne", "Distance moyenne"
    ELOIGNEE = "eloignee", "Éloigné de l'emploi"
    TRES_ELOIGNEE = "tres_eloignee", "Très éloigné de l'emploi"


class TypeDecision(models.TextChoices):
    ADMIS = "admis", "Admis"
    AJOURNE = "ajourne", "Ajourné"
    REFUSE = "refuse", "Refusé"
    REORIENTE = "reoriente", "Réorienté"
    SORTIE_VALIDEE = "sortie_validee", "Sortie validée"
    SORTIE_NON_VALIDEE = "sortie_non_validee", "Sortie non validée"


DECISIONS_CANDIDATURE = (
    TypeDecision.ADMIS,
    TypeDecision.AJOURNE,
    TypeDecision.REFUSE,
    TypeDecision.REORIENTE,
)
DECISIONS_SORTIE = (TypeDecision.SORTIE_VALIDEE, TypeDecision.SORTIE_NON_VALIDEE)


class ObjetPassage(models.TextChoices):
    CANDIDATURE = "candidature", "Candidature"
    VALIDATION_SORTIE = "validation_sortie", "Validation de sortie"


class StatutCommission(models.TextChoices):
    PREVUE = "prevue", "Prévue"
    TENUE = "tenue", "Tenue"


class ModeEntretien(models.TextChoices):
    INDIVIDUEL = "individuel", "Individuel"
    COLLECTIF = "collectif", "Collectif"
    TELEPHONE = "telephone", "Téléphone"
    VISIO = "visio", "Visio"
    VISITE_ENTREPRISE = "visite_entreprise", "Visite en entreprise"


class SujetEntretien(models.TextChoices):
    PROJET = "projet", "Projet professionnel"
    RECHERCHE_EMPLOI = "recherche_emploi", "Recherche d'emploi"
    FORMATION = "formation", "Formation"
    FREINS = "freins", "Levée de freins"
    SUIVI_EMPLOI = "suivi_emploi", "Suivi dans l'emploi"
    ADMINISTRATIF = "administratif", "Démarches administratives"
    BILAN = "bilan", "Bilan d'étape"
    AUTRE = "autre", "Autre"


class CategorieEtape(models.TextChoices):
    MOBILISATION = "mobilisation", "Mobilisation"
    FORMATION_QUALIFIANTE = "formation_qualifiante", "Formation qualifiante"
    FORMATION_NON_QUALIFIANTE = "formation_non_qualifiante", "Formation non qualifiante"
    MEDIATION_EMPLOI = "mediation_emploi", "Médiation à l'emploi"
    IMMERSION = "immersion", "Immersion (PMSMP)"
    SIAE = "siae", "Contrat SIAE (ACI, EI, AI, ETTI)"
    CONTRAT_AIDE = "contrat_aide", "Contrat aidé"
    EMPLOI_PARCOURS = "emploi_parcours", "Emploi de parcours"
    EMPLOI_DURABLE = "emploi_durable", "Emploi durable"
    CREATION_ENTREPRISE = "creation_entreprise", "Création d'entreprise"
    LEVEE_FREINS = "levee_freins", "Levée de freins"


# Step categories that are jobs: they carry a Contrat.
CATEGORIES_EMPLOI = frozenset(
    {
        CategorieEtape.SIAE,
        CategorieEtape.CONTRAT_AIDE,
        CategorieEtape.EMPLOI_PARCOURS,
        CategorieEtape.EMPLOI_DURABLE,
        CategorieEtape.CREATION_ENTREPRISE,
    }
)


class TypeContrat(models.TextChoices):
    CDI = "cdi", "CDI"
    CDD = "cdd", "CDD"
    INTERIM = "interim", "Intérim (CTT)"
    CONTRAT_AIDE = "contrat_aide", "Contrat aidé"
    IAE = "iae", "IAE (ACI, EI, AI, ETTI)"
    ALTERNANCE = "alternance", "Alternance (apprentissage, professionnalisation)"
    CREATION = "creation", "Création d'entreprise"


class MotifSuspension(models.TextChoices):
    SANTE = "sante", "Santé"
    FAMILLE = "famille", "Raisons familiales"
    INCARCERATION = "incarceration", "Incarcération de moins de 3 mois"


class CategorieSortie(models.TextChoices):
    """docs/domaine.md §5 and the annual flow table (§7)."""

    EMPLOI_DURABLE = "emploi_durable", "Positive — emploi durable"
    CREATION_ENTREPRISE = "creation_entreprise", "Positive — création d'entreprise"
    QUALIFIANTE = "qualifiante", "Positive — sortie qualifiante"
    POSITIVE_AUTRE = "positive_autre", "Positive — dynamique / autre"
    NEUTRALISEE = "neutralisee", "Neutralisée (administrative)"
    ABANDON = "abandon", "Abandon"
    AUTRE = "autre", "Autre sortie sans suite"


CATEGORIES_POSITIVES = frozenset(
    {
        CategorieSortie.EMPLOI_DURABLE,
        CategorieSortie.CREATION_ENTREPRISE,
        CategorieSortie.QUALIFIANTE,
        CategorieSortie.POSITIVE_AUTRE,
    }
)


class ClasseNationale(models.TextChoices):
    """The class of an exit in the national consolidation's flow table (``001`` l.446-470,
    l.499-519): three positive classes, three classes of « sorties sans suite ». Stored on each
    exit type (``TypeSortie.classe_nationale``) so that a PLIE's own categories (it may
    neutralise incarceration or maternity in its own rates) never change the national figures.

    - abandons are the participants who left « de leur propre chef » (``001`` l.518-519);
    - only déménagements, décès and retraites are neutralised in the national rate
      « hors sorties neutralisées » (``001`` l.514, l.521-529);
    - « autres » takes every other exit without a positive outcome, réorientations included
      (``001`` l.515-516)."""

    EMPLOI_DURABLE = "emploi_durable", "Sortie positive — emploi durable"
    QUALIFIANTE = "qualifiante", "Sortie positive — sortie qualifiante"
    POSITIVE_AUTRE = "positive_autre", "Sortie positive — autre"
    ABANDON = "abandon", "Sans suite — abandon"
    DEMENAGEMENT_DECES_RETRAITE = "demenagement_deces_retraite", "Sans suite — déménagement, décès, retraite"
    AUTRE = "autre", "Sans suite — autre (y compris réorientation)"


CLASSES_POSITIVES = frozenset(
    {ClasseNationale.EMPLOI_DURABLE, ClasseNationale.QUALIFIANTE, ClasseNationale.POSITIVE_AUTRE}
)


class TypeAlerte(models.TextChoices):
    SANS_CONTACT = "sans_contact", "Pas de contact depuis trop longtemps"
    RDV_PASSE = "rdv_passe", "Rendez-vous passé sans entretien"
    PARCOURS_LONG = "parcours_long", "Parcours plus long que la durée cible"
    FIN_SUSPENSION = "fin_suspension", "Fin de suspension proche"
    SORTIE_VALIDABLE = "sortie_validable", "Sortie en emploi validable"
    DONNEES_SORTIE_FSE = "donnees_sortie_fse", "Données FSE de sortie à saisir (4 semaines)"
    AJOURNEMENT_ECHU = "ajournement_echu", "Candidature ajournée à représenter"


class StatutOrientation(models.TextChoices):
    """What a prescripteur reads of a person it oriented (``parcours.orientations``)."""

    RECUE = "recue", "Reçue"
    EN_COMMISSION = "en_commission", "En commission"
    ADMIS = "admis", "Admis"
    AJOURNE = "ajourne", "Ajourné"
    REFUSE = "refuse", "Refusé"
    REORIENTE = "reoriente", "Réorienté"
    SORTI = "sorti", "Sorti"
