"""FSE data completeness of an enrolment: the entry questionnaire and the 4-week exit window.

Two rules (docs/domaine.md §6):

- **Entry**: every question of the entry questionnaire must have an answer, else the participant
  is ineligible and the expense is lost (seed 004 l.7915-7940, l.8084-8150). One participant = one
  operation: the questionnaire checked is the enrolment's own (``Inscription`` inherits the answer
  fields), the identity and contact answers are the participant's. The rule itself is
  :func:`participants.fse.reponses_manquantes`; :func:`q_entree_incomplete` is its SQL twin, used
  to count and filter thousands of enrolments in one query (``tests/operations/test_completude.py``
  proves both agree, question by question).
- **One definition of « complete »**: :func:`manques_entree` is what the completeness board
  lists AND what the MDFSE check (:func:`operations.mdfse_validation.valider_operation`)
  reports for an enrolment's identity, contact, entry and questionnaire cells: the answers
  :func:`participants.fse.reponses_manquantes` asks for, plus what Ma Démarche FSE would reject
  in them (:func:`controles_mdfse`: formats of the postal code, commune of birth, phones and
  email, the age at entry, the entry within the operation, the length of job search). So an
  enrolment the board calls complete is never rejected by the check, and the other way round.
- **Exit**: the situation at exit is recorded within 4 weeks of leaving the operation; data
  recorded later no longer counts in the immediate result indicators (seed 004 l.7930-7945).
  The deadline is ``date_sortie + 28 days`` (inclusive): on the exit day 28 days remain, on day 28
  none remain but the data is still in time, from day 29 the window is past.
"""

import datetime
import re
from dataclasses import dataclass
from functools import reduce
from operator import or_

from django.db import models
from django.db.models import (
    BooleanField,
    Case,
    DurationField,
    ExpressionWrapper,
    F,
    IntegerField,
    Q,
    Value,
    When,
)
from django.db.models.functions import ExtractDay, ExtractMonth, ExtractYear
from django.db.models.lookups import Exact, GreaterThan, LessThan

from participants.categories import age_at
from participants.enums import OuiNonNsp, StatutEmploi
from participants.fse import AGE_MAX, AGE_MIN, IDENTITE, QUESTIONS, Manque, reponses_manquantes

DELAI_DONNEES_SORTIE = datetime.timedelta(days=28)  # « dans les 4 semaines » (seed 004 l.7930-7945)


# --- Entry questionnaire ------------------------------------------------------------------------


# What Ma Démarche FSE accepts in the identity and contact cells (the same expressions in Python
# and in PostgreSQL, so that the SQL twin agrees; operations.mdfse_validation for a file).
CODE_POSTAL_FRANCAIS = (
    r"^(0[1-9][0-9]{3}|1[0-9]{4}|20[0-6][0-9]{2}|2[1-9][0-9]{3}|[3-8][0-9]{4}|9[0-5][0-9]{3}"
    r"|97[1-6][0-9]{2})$"
)
COMMUNE_NAISSANCE = (
    r"^(99999|2[AB][0-9]{3}|97[1-8][0-9]{2}|98[0-9]{3}|(0[1-9]|1[0-9]|2[1-9]|[3-8][0-9]|9[0-5])[0-9]{3})$"
)
# the file wants 10 digits starting with 0: a French number (+33 brought back), no foreign one
TELEPHONE_NATIONAL = r"^(0|\+33 ?|0033 ?)[1-9]([ .-]?[0-9]{2}){4}$"
COURRIEL = r"^[^@ \t\r\n;,]+@[^@ \t\r\n;,]+\.[A-Za-z]{2,}$"
DUREE_RECHERCHE_MAX = 600  # months (50 years): above, a typing error the file check rejects


def _invalide(value, pattern):
    return bool(value) and re.match(pattern, value) is None


def controles_mdfse(participant, inscription):
    """What Ma Démarche FSE would reject beyond a missing answer (that is
    :func:`participants.fse.reponses_manquantes`'s): the questionnaire's date (the enrolment's
    own questionnaire, confirmed), formats and plausibility of the answers present."""
    manques = []
    if inscription.date_questionnaire is None:
        manques.append(
            Manque(
                "date_questionnaire", "Date du questionnaire : réponse manquante (questionnaire à confirmer)."
            )
        )
    if _invalide(participant.code_commune_naissance, COMMUNE_NAISSANCE):
        manques.append(
            Manque(
                "code_commune_naissance",
                f"Commune de naissance : code « {participant.code_commune_naissance} » invalide (code INSEE "
                "d'un département existant, 2A/2B pour la Corse, 99999 si né à l'étranger).",
            )
        )
    if _invalide(participant.code_postal, CODE_POSTAL_FRANCAIS):
        manques.append(
            Manque(
                "code_postal",
                f"Code postal « {participant.code_postal} » invalide : 5 chiffres d'un département français.",
            )
        )
    for champ in ("telephone", "telephone_fixe"):
        if _invalide(getattr(participant, champ), TELEPHONE_NATIONAL):
            manques.append(
                Manque(
                    champ,
                    f"Téléphone « {getattr(participant, champ)} » : Ma Démarche FSE n'accepte que "
                    "10 chiffres commençant par 0.",
                )
            )
    if _invalide(participant.email, COURRIEL):
        manques.append(Manque("email", f"Courriel « {participant.email} » invalide."))
    age = age_at(participant.date_naissance, inscription.date_entree)
    if age is not None and not AGE_MIN <= age <= AGE_MAX:
        manques.append(
            Manque(
                "date_naissance",
                f"Âge à l'entrée de {age} ans : date de naissance à vérifier "
                f"(entre {AGE_MIN} et {AGE_MAX} ans).",
            )
        )
    operation = inscription.operation
    if inscription.date_entree and not operation.date_debut <= inscription.date_entree <= operation.date_fin:
        manques.append(
            Manque(
                "date_entree",
                f"Entrée le {inscription.date_entree:%d/%m/%Y} hors de la période de l'opération "
                f"(du {operation.date_debut:%d/%m/%Y} au {operation.date_fin:%d/%m/%Y}).",
            )
        )
    duree = inscription.duree_recherche_mois
    if duree is not None and duree > DUREE_RECHERCHE_MAX:
        manques.append(
            Manque(
                "duree_recherche_mois",
                f"1g. Durée de recherche de {duree} mois : {DUREE_RECHERCHE_MAX} au plus.",
            )
        )
    return manques


def manques_entree(inscription):
    """THE definition of a complete enrolment, shared by the completeness board and the MDFSE
    check: the answers still missing or incoherent for the enrolment's entry questionnaire and
    what Ma Démarche FSE would reject in them (French messages, :class:`participants.fse.Manque`);
    empty when the enrolment is eligible and its line accepted."""
    participant = inscription.participant
    return reponses_manquantes(participant, inscription) + controles_mdfse(participant, inscription)


def entree_complete(inscription):
    return not manques_entree(inscription)


def age_expression(entree, naissance):
    """Age in whole years on the date ``entree`` of someone born on ``naissance`` (field paths),
    in SQL: the difference of years, minus one when that year's birthday is not reached yet
    (the rule of ``participants.categories.age_at``)."""
    mois_e, mois_n = ExtractMonth(entree), ExtractMonth(naissance)
    avant_anniversaire = Case(
        When(LessThan(mois_e, mois_n), then=Value(1)),
        When(Exact(mois_e, mois_n) & LessThan(ExtractDay(entree), ExtractDay(naissance)), then=Value(1)),
        default=Value(0),
        output_field=IntegerField(),
    )
    return ExtractYear(entree) - ExtractYear(naissance) - avant_anniversaire


def _vide(field):
    """SQL « not answered » for a text or boolean/date column (``None`` or ``""``)."""
    return Q(**{f"{field}__isnull": True}) | Q(**{field: ""})


def _nul(field):
    return Q(**{f"{field}__isnull": True})


def conditions_entree(prefix="", participant="participant__"):
    """``[(champ, Q)]``: for each fault :func:`participants.fse.reponses_manquantes` can report,
    the SQL condition (on an ``Inscription``, or on ``prefix`` + its fields) under which it is
    reported. Each condition only uses positive comparisons, so a NULL never turns into « true »."""
    p = f"{prefix}{participant}"
    i = prefix
    sans_domicile = Q(**{f"{i}sans_domicile": OuiNonNsp.OUI})
    conditions = []
    for champ, _label in IDENTITE:
        if champ == "date_naissance":
            conditions.append((champ, _nul(f"{p}{champ}")))
        else:
            conditions.append((champ, _vide(f"{p}{champ}")))
    conditions += [
        (
            "adresse",
            _vide(f"{p}adresse") & ~(sans_domicile & Q(**{f"{p}contact_tiers__gt": ""})),
        ),
        ("code_postal", _vide(f"{p}code_postal") & ~sans_domicile),
        ("commune", _vide(f"{p}commune")),
        (
            "telephone",
            _vide(f"{p}telephone")
            & _vide(f"{p}telephone_fixe")
            & _vide(f"{p}email")
            & _vide(f"{p}contact_tiers"),
        ),
    ]
    texte = {"statut_emploi", "niveau_formation", "sans_domicile", "parent_ne_etranger"}
    for champ, _label in QUESTIONS:
        conditions.append((champ, _vide(f"{i}{champ}") if champ in texte else _nul(f"{i}{champ}")))
    sans_emploi = Q(**{f"{i}statut_emploi": StatutEmploi.SANS_EMPLOI})
    en_emploi = Q(
        **{f"{i}statut_emploi__in": [c for c in StatutEmploi.values if c != StatutEmploi.SANS_EMPLOI]}
    )
    conditions += [
        ("en_formation", sans_emploi & _nul(f"{i}en_formation")),
        ("recherche_emploi", sans_emploi & _nul(f"{i}recherche_emploi")),
        (
            "duree_recherche_mois",
            sans_emploi & Q(**{f"{i}recherche_emploi": True}) & _nul(f"{i}duree_recherche_mois"),
        ),
        (
            "recherche_emploi",  # Q1 incoherent: in employment yet answering 1f/1g
            en_emploi & (Q(**{f"{i}recherche_emploi": True}) | Q(**{f"{i}duree_recherche_mois__gt": 0})),
        ),
        ("beneficiaire_rsa", Q(**{f"{i}minima_sociaux": False, f"{i}beneficiaire_rsa": True})),
        ("menage_monoparental", Q(**{f"{i}menage_monoparental": True, f"{i}menage_enfants": False})),
        (
            "date_entree",
            Q(
                **{
                    f"{i}date_questionnaire__isnull": False,
                    f"{i}date_entree__gt": F(f"{i}date_questionnaire"),
                }
            ),
        ),
    ]
    # controles_mdfse: the questionnaire's date, a present answer Ma Démarche FSE would reject
    conditions.append(("date_questionnaire", _nul(f"{i}date_questionnaire")))
    for champ, pattern in (
        ("code_commune_naissance", COMMUNE_NAISSANCE),
        ("code_postal", CODE_POSTAL_FRANCAIS),
        ("telephone", TELEPHONE_NATIONAL),
        ("telephone_fixe", TELEPHONE_NATIONAL),
        ("email", COURRIEL),
    ):
        conditions.append((champ, Q(**{f"{p}{champ}__gt": ""}) & ~Q(**{f"{p}{champ}__regex": pattern})))
    age = Q(**{f"{p}date_naissance__isnull": False, f"{i}date_entree__isnull": False})
    conditions += [
        (
            "date_naissance",
            age
            & (
                Q(LessThan(age_expression(f"{i}date_entree", f"{p}date_naissance"), AGE_MIN))
                | Q(GreaterThan(age_expression(f"{i}date_entree", f"{p}date_naissance"), AGE_MAX))
            ),
        ),
        (
            "date_entree",
            Q(**{f"{i}date_entree__lt": F(f"{i}operation__date_debut")})
            | Q(**{f"{i}date_entree__gt": F(f"{i}operation__date_fin")}),
        ),
        ("duree_recherche_mois", Q(**{f"{i}duree_recherche_mois__gt": DUREE_RECHERCHE_MAX})),
    ]
    return conditions


def q_entree_incomplete(prefix=""):
    """SQL condition: the enrolment's entry questionnaire misses at least one answer (or is
    incoherent) — the SQL form of ``bool(manques_entree(inscription))``. Use it inside ``When``
    or ``Count(filter=...)``, or through :func:`annoter_completude`; never negate it with ``~``
    (a NULL comparison would then drop rows): filter on the annotation instead."""
    return reduce(or_, (condition for _champ, condition in conditions_entree(prefix)))


def entree_incomplete_expression(prefix=""):
    """A boolean expression, true when the entry questionnaire is incomplete (NULL-safe)."""
    return Case(
        When(q_entree_incomplete(prefix), then=Value(True)), default=Value(False), output_field=BooleanField()
    )


# --- Exit data: the 4-week window ---------------------------------------------------------------


class EtatSortie(models.TextChoices):
    PAS_SORTI = "pas_sorti", "Pas encore sorti"
    A_RENSEIGNER = "a_renseigner", "Données de sortie à saisir"
    HORS_DELAI = "hors_delai", "Délai de 4 semaines dépassé sans données"
    RENSEIGNEE = "renseignee", "Données saisies dans le délai"
    RENSEIGNEE_TARD = "renseignee_tard", "Données saisies après le délai"


@dataclass(frozen=True)
class Fenetre:
    etat: str  # EtatSortie
    date_limite: datetime.date | None
    jours_restants: int | None  # only while the data is still to record in time

    @property
    def compte_dans_indicateurs(self):
        """Exit data counts in the immediate result indicators only when recorded in time."""
        return self.etat == EtatSortie.RENSEIGNEE


def date_limite_sortie(date_sortie):
    """The last day on which exit data still counts: exit day + 28 days (4 weeks)."""
    return date_sortie + DELAI_DONNEES_SORTIE


def fenetre_sortie(date_sortie, sortie_renseignee_le, aujourd_hui):
    """Where an enrolment stands in the 4-week exit window on ``aujourd_hui``.

    - no ``date_sortie``: :attr:`EtatSortie.PAS_SORTI`;
    - data recorded (``sortie_renseignee_le``) on or before the deadline: ``RENSEIGNEE``,
      after it: ``RENSEIGNEE_TARD`` (kept, but not counted in the result indicators);
    - no data yet: ``A_RENSEIGNER`` with ``jours_restants = deadline − today`` (28 on the exit
      day, 0 on day 28) while today ≤ deadline, else ``HORS_DELAI``.
    """
    if date_sortie is None:
        return Fenetre(EtatSortie.PAS_SORTI, None, None)
    limite = date_limite_sortie(date_sortie)
    if sortie_renseignee_le is not None:
        etat = EtatSortie.RENSEIGNEE if sortie_renseignee_le <= limite else EtatSortie.RENSEIGNEE_TARD
        return Fenetre(etat, limite, None)
    if aujourd_hui <= limite:
        return Fenetre(EtatSortie.A_RENSEIGNER, limite, (limite - aujourd_hui).days)
    return Fenetre(EtatSortie.HORS_DELAI, limite, None)


def delai_saisie_expression(prefix=""):
    """``sortie_renseignee_le − date_sortie`` as a duration (NULL while either is missing)."""
    return ExpressionWrapper(
        F(f"{prefix}sortie_renseignee_le") - F(f"{prefix}date_sortie"), output_field=DurationField()
    )


def q_sortie_a_renseigner(aujourd_hui, prefix=""):
    """Left, no exit data, and the 4-week window still open on ``aujourd_hui``."""
    return Q(
        **{
            f"{prefix}date_sortie__isnull": False,
            f"{prefix}sortie_renseignee_le__isnull": True,
            f"{prefix}date_sortie__gte": aujourd_hui - DELAI_DONNEES_SORTIE,
        }
    )


def q_sortie_hors_delai(aujourd_hui, prefix=""):
    """Left, no exit data, and the window closed (deadline before ``aujourd_hui``)."""
    return Q(
        **{
            f"{prefix}sortie_renseignee_le__isnull": True,
            f"{prefix}date_sortie__lt": aujourd_hui - DELAI_DONNEES_SORTIE,
        }
    )


def q_sortie_renseignee_dans_delai(delai_field="delai_saisie"):
    """Exit data recorded within 4 weeks; needs the ``delai_saisie`` annotation
    (:func:`delai_saisie_expression`)."""
    return Q(**{f"{delai_field}__lte": DELAI_DONNEES_SORTIE})


def q_sortie_renseignee_tard(delai_field="delai_saisie"):
    return Q(**{f"{delai_field}__gt": DELAI_DONNEES_SORTIE})
