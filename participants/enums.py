from django.db import models


class Sexe(models.TextChoices):
    FEMME = "F", "Femme"
    HOMME = "M", "Homme"


class Nationalite(models.TextChoices):
    FRANCAISE = "fr", "Française"
    UE = "ue", "Union européenne (hors France)"
    HORS_UE = "hors_ue", "Hors Union européenne"


class SituationFamiliale(models.TextChoices):
    CELIBATAIRE = "celibataire", "Célibataire"
    EN_COUPLE = "couple", "En couple (marié, pacsé, concubinage)"
    SEPARE = "separe", "Séparé, divorcé"
    VEUF = "veuf", "Veuf, veuve"


class StatutEmploi(models.TextChoices):
    """FSE entry questionnaire, question 1 (« Occupez-vous actuellement un emploi ? »)."""

    INDEPENDANT = "1a", "1a. Oui, travailleur indépendant, chef d'entreprise"
    EMPLOI_DURABLE = "1b", "1b. Oui, emploi durable (CDI ou CDD de 6 mois ou plus)"
    EMPLOI_TEMPORAIRE = "1c", "1c. Oui, emploi temporaire (intérim, CDD de moins de 6 mois)"
    EMPLOI_AIDE = "1d", "1d. Oui, emploi aidé (y compris IAE)"
    SANS_EMPLOI = "non", "Non, sans emploi"


class NiveauFormation(models.TextChoices):
    """FSE entry questionnaire, question 2 (highest level reached, ISCED groups)."""

    INFERIEUR_PRIMAIRE = "2a", "2a. Inférieur à l'école primaire"
    PRIMAIRE_COLLEGE = "2b", "2b. Primaire, collège, brevet (CITE 1-2)"
    SECONDAIRE = "2c", "2c. Bac, CAP, BEP, post-secondaire non supérieur (CITE 3-4)"
    SUPERIEUR = "2d", "2d. Enseignement supérieur (CITE 5-8)"


class OuiNonNsp(models.TextChoices):
    """Questions 5 and 6, which allow « ne souhaite pas répondre / ne sait pas »."""

    OUI = "oui", "Oui"
    NON = "non", "Non"
    NSP = "nsp", "Ne souhaite pas répondre / ne sait pas"


class TypeFrein(models.TextChoices):
    MOBILITE = "mobilite", "Mobilité"
    LOGEMENT = "logement", "Logement"
    SANTE = "sante", "Santé"
    GARDE_ENFANTS = "garde_enfants", "Garde d'enfants"
    LANGUE = "langue", "Langue (maîtrise du français)"
    NUMERIQUE = "numerique", "Numérique"
    JUSTICE = "justice", "Justice"
    BUDGET = "budget", "Budget, surendettement"
    AUTRE = "autre", "Autre"


# Freins that reveal health or justice matters: shown only to référents and animation.
FREINS_SENSIBLES = frozenset({TypeFrein.SANTE, TypeFrein.JUSTICE})


class TypeDocument(models.TextChoices):
    PIECE_IDENTITE = "identite", "Pièce d'identité / titre de séjour"
    JUSTIFICATIF_RSA = "rsa", "Justificatif RSA"
    JUSTIFICATIF_RQTH = "rqth", "Justificatif RQTH / handicap"
    JUSTIFICATIF_STATUT = "statut", "Autre justificatif de statut (France Travail, ASS…)"
    QUESTIONNAIRE_SIGNE = "questionnaire", "Questionnaire FSE signé"
    CONTRAT_ENGAGEMENT = "contrat_engagement", "Contrat d'engagement signé"
    AUTRE = "autre", "Autre"


# Documents revealing a disability: same restriction as the sensitive freins.
DOCUMENTS_SENSIBLES = frozenset({TypeDocument.JUSTIFICATIF_RQTH})
