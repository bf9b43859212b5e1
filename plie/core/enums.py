from django.db import models


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
