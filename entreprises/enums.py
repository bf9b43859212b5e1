from django.db import models


class TailleEntreprise(models.TextChoices):
    TPE = "tpe", "Moins de 10 salariés"
    PETITE = "petite", "10 à 49 salariés"
    MOYENNE = "moyenne", "50 à 249 salariés"
    ETI = "eti", "250 à 4 999 salariés"
    GRANDE = "grande", "5 000 salariés et plus"


class SecteurEntreprise(models.TextChoices):
    BTP = "btp", "Bâtiment et travaux publics"
    INDUSTRIE = "industrie", "Industrie"
    COMMERCE = "commerce", "Commerce"
    HOTELLERIE = "hotellerie", "Hôtellerie, restauration"
    TRANSPORT = "transport", "Transport, logistique"
    SERVICES = "services", "Services aux entreprises"
    PERSONNE = "personne", "Services à la personne"
    SANTE = "sante", "Santé, action sociale"
    PROPRETE = "proprete", "Propreté"
    AGRICULTURE = "agriculture", "Agriculture, espaces verts"
    PUBLIC = "public", "Secteur public"
    IAE = "iae", "Insertion par l'activité économique"
    AUTRE = "autre", "Autre"


class TypeEchange(models.TextChoices):
    VISITE = "visite", "Visite d'entreprise"
    APPEL = "appel", "Appel téléphonique"
    EVENEMENT = "evenement", "Événement (job dating, forum…)"
    COURRIEL = "courriel", "Courriel"


class StatutOffre(models.TextChoices):
    OUVERTE = "ouverte", "Ouverte"
    POURVUE = "pourvue", "Pourvue"
    FERMEE = "fermee", "Fermée"


class StatutMiseEnRelation(models.TextChoices):
    PROPOSEE = "proposee", "Proposée"
    CANDIDATURE = "candidature", "Candidature envoyée"
    ENTRETIEN = "entretien", "Entretien d'embauche"
    RETENU = "retenu", "Retenu"
    NON_RETENU = "non_retenu", "Non retenu"
    DESISTEMENT = "desistement", "Désistement"


STATUTS_FINAUX = frozenset(
    {StatutMiseEnRelation.RETENU, StatutMiseEnRelation.NON_RETENU, StatutMiseEnRelation.DESISTEMENT}
)


class ModaliteClause(models.TextChoices):
    EMBAUCHE_DIRECTE = "embauche_directe", "Embauche directe"
    SIAE = "siae", "SIAE"
    INTERIM = "interim", "Intérim"
    ETTI = "etti", "ETTI"
    GEIQ = "geiq", "GEIQ"


class SituationSixMois(models.TextChoices):
    EMPLOI = "emploi", "En emploi salarié"
    INDEPENDANT = "independant", "Indépendant (à son compte)"
    FORMATION = "formation", "En formation"
    RECHERCHE = "recherche", "En recherche d'emploi"
    INACTIF = "inactif", "Inactif"
    INCONNU = "inconnu", "Inconnue (non joint)"


# FSE+ EECR05: « in employment, including self-employment », six months after leaving
SITUATIONS_EN_EMPLOI = frozenset({SituationSixMois.EMPLOI, SituationSixMois.INDEPENDANT})


class TypeActionEntreprise(models.TextChoices):
    JOB_DATING = "job_dating", "Job dating"
    VISITE = "visite", "Visite d'entreprise"
    FORUM = "forum", "Forum emploi"
    INFORMATION = "information", "Information collective employeur"
    # « Sessions de sensibilisations à destination des acteurs économiques assujettis à
    # l'obligation d'insertion » (« Club des donneurs d'ordre », seed 004 l.1852–1854)
    SENSIBILISATION = "sensibilisation", "Session de sensibilisation des donneurs d'ordre"


class TypePartenaireConvention(models.TextChoices):
    DONNEUR_ORDRE = "donneur_ordre", "Donneur d'ordre"
    SIAE = "siae", "Structure d'insertion par l'activité économique (SIAE)"
    EMPLOYEUR = "employeur", "Structure employeuse, entreprise"
    AUTRE = "autre", "Autre partenaire"
