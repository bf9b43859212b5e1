"""Completeness of the FSE entry questionnaire (DGEFP, version 26/11/2018).

Every question must have an answer, else the participant is ineligible and the expense is lost
(docs/domaine.md §6; seed 004 l.7915-7940, l.8084-8150). :func:`reponses_manquantes` lists, in French,
what is still missing or incoherent; an empty list means the questionnaire is complete."""

from dataclasses import dataclass

from participants.categories import age_at
from participants.enums import StatutEmploi

AGE_MIN = 16
AGE_MAX = 80


@dataclass(frozen=True)
class Manque:
    champ: str  # the field to fix
    message: str  # French, for the user


IDENTITE = (
    ("nom", "Nom"),
    ("prenom", "Prénom"),
    ("date_naissance", "Date de naissance"),
    ("sexe", "Sexe"),
    ("code_commune_naissance", "Commune de naissance (code, 99999 si à l'étranger)"),
    # third-country nationals are an FSE+ common indicator (EECO13): the nationality is asked
    ("nationalite", "Nationalité (française, UE, hors UE)"),
)

QUESTIONS = (
    ("date_entree", "Date d'entrée"),
    ("statut_emploi", "Q1. Statut sur le marché du travail"),
    ("niveau_formation", "Q2. Niveau de formation"),
    ("handicap_reconnu", "Q3. Reconnaissance d'un handicap"),
    ("minima_sociaux", "Q4. Minima sociaux"),
    ("sans_domicile", "Q5. Sans domicile fixe ou exclusion du logement"),
    ("parent_ne_etranger", "Q6. Parent né à l'étranger"),
    ("menage_sans_emploi", "Ménage : aucun membre en emploi"),
    ("menage_enfants", "Ménage : enfants à charge"),
    ("menage_monoparental", "Ménage : un seul adulte avec enfants à charge"),
)


def _missing(value):
    return value is None or value == ""


def reponses_manquantes(participant, situation):
    """The answers still missing (or incoherent) for the FSE entry questionnaire."""
    manques = [
        Manque(champ, f"{label} : réponse manquante.")
        for champ, label in IDENTITE
        if _missing(getattr(participant, champ))
    ]
    sans_domicile = situation is not None and situation.sans_domicile == "oui"
    if not participant.adresse and not (sans_domicile and participant.contact_tiers):
        manques.append(Manque("adresse", "Adresse à l'entrée : réponse manquante."))
    if not participant.code_postal and not sans_domicile:
        manques.append(Manque("code_postal", "Code postal : réponse manquante."))
    if not participant.commune:
        manques.append(Manque("commune", "Commune de résidence : réponse manquante."))
    if not (
        participant.telephone or participant.telephone_fixe or participant.email or participant.contact_tiers
    ):
        manques.append(Manque("telephone", "Coordonnées : au moins un téléphone ou un courriel."))

    if situation is None:
        manques.append(Manque("situation", "Questionnaire d'entrée : non commencé."))
        return manques

    manques.extend(
        Manque(champ, f"{label} : réponse manquante.")
        for champ, label in QUESTIONS
        if _missing(getattr(situation, champ))
    )
    if situation.statut_emploi == StatutEmploi.SANS_EMPLOI:
        if situation.en_formation is None:
            manques.append(
                Manque("en_formation", "1e. En formation : réponse manquante (personne sans emploi).")
            )
        if situation.recherche_emploi is None:
            manques.append(
                Manque(
                    "recherche_emploi", "1f. Recherche d'emploi : réponse manquante (personne sans emploi)."
                )
            )
        elif situation.recherche_emploi and situation.duree_recherche_mois is None:
            manques.append(
                Manque(
                    "duree_recherche_mois", "1g. Durée de recherche d'emploi (en mois) : réponse manquante."
                )
            )
    elif situation.statut_emploi and (situation.recherche_emploi or situation.duree_recherche_mois):
        manques.append(
            Manque(
                "recherche_emploi",
                "Q1 incohérente : une personne en emploi ne répond pas aux questions 1e à 1g.",
            )
        )
    if situation.minima_sociaux is False and situation.beneficiaire_rsa:
        manques.append(
            Manque("beneficiaire_rsa", "Q4 incohérente : bénéficiaire du RSA sans minima sociaux.")
        )
    if situation.menage_monoparental and situation.menage_enfants is False:
        manques.append(
            Manque("menage_monoparental", "Ménage incohérent : monoparental sans enfant à charge.")
        )
    if (
        situation.date_questionnaire
        and situation.date_entree
        and situation.date_entree > situation.date_questionnaire
    ):
        manques.append(
            Manque("date_entree", "La date d'entrée ne peut pas être postérieure à la date du questionnaire.")
        )
    return manques


def est_complet(participant, situation):
    return not reponses_manquantes(participant, situation)


def controle_age(date_naissance, date_entree):
    """A French message when the age at entry is outside 16–80 (to be confirmed by the user),
    else ``None``."""
    age = age_at(date_naissance, date_entree)
    if age is None or AGE_MIN <= age <= AGE_MAX:
        return None
    return (
        f"Âge à l'entrée peu plausible ({age} ans) : vérifiez la date de naissance "
        f"ou confirmez (attendu entre {AGE_MIN} et {AGE_MAX} ans)."
    )
