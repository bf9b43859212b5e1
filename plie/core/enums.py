from django.db import models


def label_of(enum, value, default=None):
    """The French label of ``value`` in the choices ``enum``; ``default`` (the value itself when
    not given) for a value that is empty or no longer among the choices (history, old imports)."""
    if value in enum.values:
        return enum(value).label
    return value if default is None else default


class StructureKind(models.TextChoices):
    PLIE = "plie", "PLIE"
    OI = "oi", "Organisme intermédiaire (OI)"
    OPERATEUR = "operateur", "Opérateur / porteur"
    PRESCRIPTEUR = "prescripteur", "Prescripteur"
    FINANCEUR = "financeur", "Financeur"


class Role(models.TextChoices):
    REFERENT = "referent", "Référent de parcours"
    ANIMATION = "animation", "Chargé de mission / animation"
    GESTIONNAIRE = "gestionnaire", "Gestionnaire"
    DIRECTION = "direction", "Direction"
    FINANCEUR = "financeur", "Financeur"
    ADMINISTRATEUR = "administrateur", "Administrateur"
    DPO = "dpo", "Délégué à la protection des données (DPO)"
    RELATIONS_ENTREPRISES = "charge_entreprises", "Chargé(e) de relations entreprises"


class RunOutcome(models.TextChoices):
    RUNNING = "running", "En cours"
    SUCCESS = "success", "Réussi"
    FAILURE = "failure", "Échec"


class JournalAction(models.TextChoices):
    """What an entry of the access journal (``plie.core.journal``) records: a read or a change."""

    CONSULTATION = "consultation", "Consultation du dossier"
    FICHE_PDF = "fiche_pdf", "Fiche PDF"
    DOCUMENT = "document", "Téléchargement d'un document"
    EXPORT = "export", "Export nominatif"
    RECHERCHE = "recherche", "Recherche"
    CREATION = "creation", "Création"
    MODIFICATION = "modification", "Modification"
    SUPPRESSION = "suppression", "Suppression"
    DROIT_ACCES = "droit_acces", "Export du droit d'accès"
    ANONYMISATION = "anonymisation", "Anonymisation"
