from django.db import models


class Programme(models.TextChoices):
    FSE_2014_2020 = "fse_2014_2020", "FSE 2014–2020 (PON « Emploi et inclusion »)"
    FSE_PLUS_2021_2027 = "fse_plus_2021_2027", "FSE+ 2021–2027 (PN « Emploi et inclusion »)"


class Nomenclature(models.TextChoices):
    """The exit nomenclature an operation's financeur judges results by (docs/domaine.md §5, seed 003
    l.175-181)."""

    PLIE = "plie", "Catégories du PLIE (emploi durable, qualifiante, autres positives)"
    DEPARTEMENT = (
        "departement",
        "Nomenclature du Département (emploi durable, de transition, positive, dynamique)",
    )


class PieceJustificative(models.TextChoices):
    """Proofs an FSE controller asks for, per participant of an operation (docs/domaine.md §6, seed 004
    l.7895)."""

    QUESTIONNAIRE_SIGNE = "questionnaire", "Questionnaire FSE d'entrée signé"
    CONTRAT_ENGAGEMENT = "contrat_engagement", "Contrat d'engagement signé"
    PIECE_IDENTITE = "identite", "Pièce d'identité / titre de séjour"
    JUSTIFICATIF_STATUT = "statut", "Justificatif de statut (France Travail, RSA, RQTH…)"
    ENTRETIENS = "entretiens", "Entretiens de suivi sur la période"
    DONNEES_SORTIE = "donnees_sortie", "Données de sortie renseignées"
