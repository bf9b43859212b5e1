"""Writes on a dossier: creating and changing a participant, the situation at entry, freins.

Every function is keyword-only and atomic, checks who may change the dossier
(:mod:`participants.permissions`) and validates what it is given, raising a
``ValidationError`` per field with French messages, whoever calls it (the HTML views today, the
API later). The author of each change is recorded in the history."""

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from participants.doublons import doublons_probables
from participants.enums import FREINS_SENSIBLES, StatutEmploi, TypeFrein
from participants.fse import controle_age
from participants.models import Frein, Participant, SignalementDoublon, SituationEntree
from participants.permissions import (
    can_create_participant,
    can_edit_participant,
    can_review_doublon,
    can_view_sensitive_data,
)
from participants.validators import normalize_phone
from plie.core.enums import StructureKind
from plie.core.scoping import SENSITIVE_ANSWERS

# What a user types about a participant (identity, contacts, household, identifiers).
PARTICIPANT_FIELDS = (
    "nom",
    "prenom",
    "nom_naissance",
    "sexe",
    "date_naissance",
    "commune_naissance",
    "code_commune_naissance",
    "nationalite",
    "adresse",
    "code_postal",
    "commune",
    "qpv",
    "telephone",
    "telephone_fixe",
    "email",
    "contact_tiers",
    "situation_familiale",
    "enfants_a_charge",
    "identifiant_france_travail",
    "numero_caf",
)
PHONE_FIELDS = ("telephone", "telephone_fixe")

SITUATION_FIELDS = ("date_entree", "date_questionnaire", *SituationEntree.answer_fields())
# Q1 1e–1g are asked only of a person without a job.
QUESTIONS_SANS_EMPLOI = ("en_formation", "recherche_emploi", "duree_recherche_mois")
DUREE_RECHERCHE_MAX_MOIS = 600

AGE_A_CONFIRMER = "age_a_confirmer"


class DoublonsProbables(Exception):
    """Raised by :func:`participant_create` when the person probably has a dossier already
    (``doublons``: the participants found, in this PLIE or another PLIE of its OI)."""

    def __init__(self, doublons):
        super().__init__(f"{len(doublons)} dossier(s) proche(s)")
        self.doublons = doublons


def _check_fields(data, allowed):
    unknown = set(data) - set(allowed)
    if unknown:
        raise TypeError(f"Champs inconnus : {', '.join(sorted(unknown))}")


def _add(errors, field, error):
    errors.setdefault(field, []).append(error)


def age_message(date_naissance, date_reference=None):
    """The plausibility warning on the age at entry (the entry date if known, else today)."""
    return controle_age(date_naissance, date_reference or timezone.localdate())


def participant_validate(participant, *, check_age=True, date_reference=None):
    """Normalise the phone numbers of ``participant`` (in place) and check it; raises one
    ``ValidationError`` holding every field's errors.

    The birth date must not be in the future; an age at entry outside 16–80 is refused with the
    code ``age_a_confirmer`` unless ``check_age`` is false (the user confirmed it)."""
    errors = {}
    for field in PHONE_FIELDS:
        try:
            setattr(participant, field, normalize_phone(getattr(participant, field)))
        except ValidationError as error:
            _add(errors, field, error)
    try:
        # plie and created_by are set by the services themselves, not typed by the user
        participant.full_clean(exclude=["plie", "created_by", *errors], validate_unique=False)
    except ValidationError as error:
        for field, field_errors in error.error_dict.items():
            errors.setdefault(field, []).extend(field_errors)
    date_naissance = participant.date_naissance
    if "date_naissance" not in errors and isinstance(date_naissance, datetime.date):
        if date_naissance > timezone.localdate():
            _add(errors, "date_naissance", ValidationError("La date de naissance ne peut pas être future."))
        elif check_age and (message := age_message(date_naissance, date_reference)):
            _add(errors, "date_naissance", ValidationError(message, code=AGE_A_CONFIRMER))
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def participant_create(*, scope, plie, age_confirme=False, doublons_ecartes=False, **data):
    """Create a participant in ``plie`` from the identity and contact ``data``.

    Raises ``PermissionDenied`` unless ``scope`` may create in this PLIE, ``ValidationError`` per
    field, and :class:`DoublonsProbables` when the person probably has a dossier already, unless
    the user said it is someone else (``doublons_ecartes``)."""
    _check_fields(data, PARTICIPANT_FIELDS)
    if plie.kind != StructureKind.PLIE or not can_create_participant(scope, plie.pk):
        raise PermissionDenied
    return _participant_insert(
        scope=scope, plie=plie, age_confirme=age_confirme, doublons_ecartes=doublons_ecartes, **data
    )


# What a prescripteur types when it orients someone (identity and contact; issue 16).
ORIENTATION_FIELDS = (
    "nom",
    "prenom",
    "nom_naissance",
    "sexe",
    "date_naissance",
    "adresse",
    "code_postal",
    "commune",
    "telephone",
    "email",
    "identifiant_france_travail",
)


@transaction.atomic
def participant_orient(*, scope, plie, age_confirme=False, doublons_ecartes=False, **data):
    """Create the dossier of a person a **prescripteur** orients into ``plie``
    (``parcours.permissions.can_orient``, checked by the caller,
    ``parcours.services.orientation_create``): the identity and contact of
    :data:`ORIENTATION_FIELDS` only. The duplicate check runs as for a référent, but
    :class:`DoublonsProbables` is raised with no dossier in it: the prescripteur learns that
    the person may be known, never who (the animation reviews the flags)."""
    _check_fields(data, ORIENTATION_FIELDS)
    if plie.kind != StructureKind.PLIE:
        raise PermissionDenied
    try:
        return _participant_insert(
            scope=scope, plie=plie, age_confirme=age_confirme, doublons_ecartes=doublons_ecartes, **data
        )
    except DoublonsProbables:
        raise DoublonsProbables([]) from None


def _participant_insert(*, scope, plie, age_confirme, doublons_ecartes, **data):
    participant = Participant(plie=plie, created_by=scope.user, **data)
    participant_validate(participant, check_age=not age_confirme)
    if not doublons_ecartes:
        doublons = doublons_probables(
            plie=plie,
            nom=participant.nom,
            prenom=participant.prenom,
            date_naissance=participant.date_naissance,
            nom_naissance=participant.nom_naissance,
        )
        if doublons:
            raise DoublonsProbables(doublons)
    participant._history_user = scope.user
    participant.save()
    if doublons_ecartes:
        doublons_signaler(scope=scope, participant=participant)
    return participant


def doublons_signaler(*, scope, participant):
    """Keep the probable duplicates of ``participant`` in the OI's OTHER PLIE for the animation to
    review (:class:`participants.models.SignalementDoublon`), once the user said « someone
    else »: nobody outside the animation learns who they are (one query, plus one per new flag)."""
    autres = [
        p
        for p in doublons_probables(
            plie=participant.plie,
            nom=participant.nom,
            prenom=participant.prenom,
            date_naissance=participant.date_naissance,
            nom_naissance=participant.nom_naissance,
            exclude_id=participant.pk,
        )
        if p.plie_id != participant.plie_id
    ]
    for autre in autres:
        SignalementDoublon.objects.get_or_create(
            participant=participant, autre=autre, defaults={"created_by": scope.user}
        )
    return autres


@transaction.atomic
def doublon_examiner(*, scope, signalement, statut):
    """The animation's decision on a flagged duplicate: « même personne » or « personnes
    différentes »."""
    if not can_review_doublon(scope, signalement):
        raise PermissionDenied
    if statut not in (
        SignalementDoublon.Statut.MEME_PERSONNE,
        SignalementDoublon.Statut.PERSONNES_DIFFERENTES,
    ):
        raise ValidationError({"statut": "Choisissez « Même personne » ou « Personnes différentes »."})
    signalement.statut = statut
    signalement.examine_le = timezone.now()
    signalement.examine_par = scope.user
    signalement.save(update_fields=["statut", "examine_le", "examine_par"])
    return signalement


IDENTITY_FIELDS = ("nom", "prenom", "nom_naissance", "date_naissance")


@transaction.atomic
def participant_update(*, scope, participant, age_confirme=False, doublons_ecartes=False, **data):
    """Change identity and contacts. The age is checked again only when the birth date changes
    (against the latest entry date, else today); when the identity changes, the duplicate check
    of the creation runs again (this dossier excluded) and raises :class:`DoublonsProbables`
    unless the user said it is someone else (``doublons_ecartes``)."""
    _check_fields(data, PARTICIPANT_FIELDS)
    if not can_edit_participant(scope, participant):
        raise PermissionDenied
    birth_changed = "date_naissance" in data and data["date_naissance"] != participant.date_naissance
    identity_changed = any(
        field in data and data[field] != getattr(participant, field) for field in IDENTITY_FIELDS
    )
    for field, value in data.items():
        setattr(participant, field, value)
    situation = participant.situation_entree
    participant_validate(
        participant,
        check_age=birth_changed and not age_confirme,
        date_reference=situation.date_entree if situation else None,
    )
    if identity_changed and not doublons_ecartes:
        doublons = doublons_probables(
            plie=participant.plie,
            nom=participant.nom,
            prenom=participant.prenom,
            date_naissance=participant.date_naissance,
            nom_naissance=participant.nom_naissance,
            exclude_id=participant.pk,
        )
        if doublons:
            raise DoublonsProbables(doublons)
    participant._history_user = scope.user
    participant.save()
    if identity_changed and doublons_ecartes:
        doublons_signaler(scope=scope, participant=participant)
    return participant


def situation_normalize(situation):
    """Questions 1e–1g only concern a person without a job; 1g only one who is seeking."""
    if situation.statut_emploi and situation.statut_emploi != StatutEmploi.SANS_EMPLOI:
        for field in QUESTIONS_SANS_EMPLOI:
            setattr(situation, field, None)
    if situation.recherche_emploi is False:
        situation.duree_recherche_mois = None


def situation_validate(situation):
    """The dates and the coherence of the answers; a partial questionnaire is valid (a draft:
    :func:`participants.fse.reponses_manquantes` says what is missing)."""
    errors = {}
    try:
        situation.full_clean(exclude=["participant"], validate_unique=False, validate_constraints=False)
    except ValidationError as error:
        errors.update(error.error_dict)
    today = timezone.localdate()
    entree, questionnaire = situation.date_entree, situation.date_questionnaire
    if "date_entree" not in errors and entree:
        if entree > today:
            _add(errors, "date_entree", ValidationError("La date d'entrée ne peut pas être future."))
        elif questionnaire and entree > questionnaire:
            _add(
                errors,
                "date_entree",
                ValidationError("La date d'entrée ne peut pas être postérieure à la date du questionnaire."),
            )
        elif (
            SituationEntree.objects.filter(participant_id=situation.participant_id, date_entree=entree)
            .exclude(pk=situation.pk)
            .exists()
        ):
            _add(
                errors,
                "date_entree",
                ValidationError(
                    f"Une situation à l'entrée du {entree:%d/%m/%Y} existe déjà pour ce participant."
                ),
            )
    if "date_questionnaire" not in errors and questionnaire and questionnaire > today:
        _add(
            errors, "date_questionnaire", ValidationError("La date du questionnaire ne peut pas être future.")
        )
    duree = situation.duree_recherche_mois
    if "duree_recherche_mois" not in errors and duree is not None and duree > DUREE_RECHERCHE_MAX_MOIS:
        _add(
            errors,
            "duree_recherche_mois",
            ValidationError(f"Durée peu plausible : {DUREE_RECHERCHE_MAX_MOIS} mois au plus."),
        )
    if situation.minima_sociaux is False and situation.beneficiaire_rsa:
        _add(
            errors,
            "beneficiaire_rsa",
            ValidationError(
                "Le RSA est un minimum social : répondez « Oui » à la question 4 ou « Non » ici."
            ),
        )
    if situation.menage_monoparental and situation.menage_enfants is False:
        _add(
            errors,
            "menage_monoparental",
            ValidationError("Un ménage d'un seul adulte avec enfants à charge a des enfants à charge."),
        )
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def situation_save(*, scope, participant, situation=None, **answers):
    """Record the situation at entry (FSE entry questionnaire), new or changed; partial answers
    are kept as a draft."""
    _check_fields(answers, SITUATION_FIELDS)
    if not can_edit_participant(scope, participant):
        raise PermissionDenied
    if set(answers) & set(SENSITIVE_ANSWERS) and not can_view_sensitive_data(scope, participant):
        raise PermissionDenied  # Q3 is recorded by the référent and the animation only
    if situation is None:
        situation = SituationEntree(participant=participant)
    elif situation.participant_id != participant.pk:
        raise ValueError("Cette situation n'appartient pas à ce participant.")
    for field, value in answers.items():
        setattr(situation, field, value)
    situation_normalize(situation)
    situation_validate(situation)
    situation._history_user = scope.user
    situation.save()
    return situation


def frein_types_for(scope, participant):
    """The frein types ``scope`` may record: health and justice only for those who may see
    sensitive data."""
    sensitive = can_view_sensitive_data(scope, participant)
    return [choice for choice in TypeFrein.choices if sensitive or choice[0] not in FREINS_SENSIBLES]


@transaction.atomic
def frein_add(*, scope, participant, type, date_identification, precision=""):
    """Record a frein identified on ``date_identification`` (not in the future)."""
    if not can_edit_participant(scope, participant):
        raise PermissionDenied
    errors = {}
    if type not in dict(frein_types_for(scope, participant)):
        _add(errors, "type", ValidationError("Ce type de frein n'est pas disponible."))
    if date_identification is None:
        _add(errors, "date_identification", ValidationError("Indiquez la date d'identification."))
    elif date_identification > timezone.localdate():
        _add(
            errors,
            "date_identification",
            ValidationError("La date d'identification ne peut pas être future."),
        )
    if errors:
        raise ValidationError(errors)
    frein = Frein(
        participant=participant, type=type, precision=precision or "", date_identification=date_identification
    )
    frein.full_clean(exclude=["participant"])
    frein._history_user = scope.user
    frein.save()
    return frein


@transaction.atomic
def frein_lift(*, scope, frein, date_levee=None):
    """Mark ``frein`` lifted on ``date_levee`` (today by default), not before it was identified
    nor in the future."""
    participant = frein.participant
    if not can_edit_participant(scope, participant) or (
        frein.sensible and not can_view_sensitive_data(scope, participant)
    ):
        raise PermissionDenied
    date_levee = date_levee or timezone.localdate()
    if frein.date_levee is not None:
        message = f"Ce frein est déjà levé (le {frein.date_levee:%d/%m/%Y})."
    elif date_levee > timezone.localdate():
        message = "La date de levée ne peut pas être future."
    elif date_levee < frein.date_identification:
        message = (
            "Un frein ne peut pas être levé avant d'avoir été identifié "
            f"(le {frein.date_identification:%d/%m/%Y})."
        )
    else:
        message = None
    if message:
        raise ValidationError({"date_levee": ValidationError(message)})
    frein.date_levee = date_levee
    frein._history_user = scope.user
    frein.save(update_fields=["date_levee"])
    return frein
