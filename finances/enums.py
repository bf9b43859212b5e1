from django.db import models


class ModeAffectation(models.TextChoices):
    """How the time of a person paid on an operation is justified (seed 004, l.7855–7871)."""

    TEMPS_PLEIN = "temps_plein", "Temps plein (contrat ou lettre de mission)"
    POURCENTAGE = "pourcentage", "Pourcentage fixe mensuel (fiche de poste)"
    TEMPS_TRACE = "temps_trace", "Temps tracé par jour (fiches temps)"


class StatutFiche(models.TextChoices):
    BROUILLON = "brouillon", "À signer"
    SIGNEE = "signee", "Signée par la personne"
    VALIDEE = "validee", "Validée par le responsable"
    REMPLACEE = "remplacee", "Remplacée par une correction"
