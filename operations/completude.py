"""FSE data completeness of an enrolment: the entry questionnaire and the 4-week exit window.

Two rules (docs/domaine.md §6):

- **Entry**: every question of the entry questionnaire must have an answer, else the participant
  is ineligible and the expense is lost (seed 004 l.7915-7940, l.8084-8150). One participant = one
  operation: the questionnaire checked is the enrolment's own (``Inscription`` inherits the answer
  fields), the identity and contact answers are the participant's. The rule itself is
  :func:`participants.fse.reponses_manquantes`; :func:`q_entree_incomplete` is its SQL twin, used
  to count and filter thousands of enrolments in one query (``tests/operations/test_completude.py``
  proves both agree, question by question).
- **Exit**: the situation at exit is recorded within 4 weeks of leaving the operation; data
  recorded later no longer counts in the immediate result indicators (seed 004 l.7930-7945).
  The deadline is ``date_sortie + 28 days`` (inclusive): on the exit day 28 days remain, on day 28
  none remain but the data is still in time, from day 29 the window is past.
"""

import datetime
from dataclasses import dataclass
from functools import reduce
from operator import or_

from django.db import models
from django.db.models import BooleanField, Case, DurationField, ExpressionWrapper, F, Q, Value, When

from participants.enums import OuiNonNsp, StatutEmploi
from participants.fse import IDENTITE, QUESTIONS, reponses_manquantes

DELAI_DONNEES_SORTIE = datetime.timedelta(days=28)  # « dans les 4 semaines » (seed 004 l.7930-7945)


# --- Entry questionnaire ------------------------------------------------------------------------


def manques_entree(inscription):
    """The answers still missing or incoherent for the enrolment's entry questionnaire (French
    messages, :class:`participants.fse.Manque`); empty when the enrolment is eligible."""
    return reponses_manquantes(inscription.participant, inscription)


def entree_complete(inscription):
    return not manques_entree(inscription)


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
