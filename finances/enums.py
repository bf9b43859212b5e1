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


class CategorieDepense(models.TextChoices):
    """The expense headings of an FSE plan de financement."""

    PERSONNEL = "personnel", "Dépenses directes de personnel"
    FONCTIONNEMENT = "fonctionnement", "Autres dépenses directes de fonctionnement"
    PRESTATIONS = "prestations", "Prestations de services"
    INDIRECTES = "indirectes", "Dépenses indirectes"


class Financeur(models.TextChoices):
    FSE = "fse", "FSE"
    DEPARTEMENT = "departement", "Département"
    EPCI = "epci", "EPCI"
    ETAT = "etat", "État"
    REGION = "region", "Région"
    AUTRES = "autres", "Autres financements publics ou privés"
    AUTOFINANCEMENT = "autofinancement", "Autofinancement"


class Nature(models.TextChoices):
    PREVU = "prevu", "Prévu"
    REALISE = "realise", "Réalisé"


class ModeIndirects(models.TextChoices):
    FORFAIT = "forfait", "Taux forfaitaire"
    CLE = "cle", "Coût réel (clé de répartition)"
