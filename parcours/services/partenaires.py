"""What partners write (issue 16, ``plie.core.scoping``'s « Partners see what they did »):

- a **prescripteur** orients a person into the PLIE (:func:`orientation_create`): her dossier
  (identity and contact) and a candidature, on the PLIE's list of candidatures to present;
- an **opérateur** records the participant's presence on a day of an étape it carries
  (:func:`presence_record`) and the étape's outcome (:func:`etape_outcome_record`).

The same services serve the partner space and the API; each checks its predicate of
:mod:`parcours.permissions` and raises ``ValidationError`` per field with French messages."""

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import transaction
from django.utils import timezone

from parcours.enums import StatutParcours
from parcours.models import Etape, Parcours, PresenceEtape
from parcours.permissions import can_orient, can_record_etape_outcome
from parcours.services.common import STATUTS_OUVERTS, _add, _not_future, _raise, _require, prescripteurs_of
from parcours.services.suivi import etape_errors
from participants.services import participant_orient
from plie.core.dates import format_date


@transaction.atomic
def orientation_create(
    *, scope, plie, prescripteur, motif_orientation, age_confirme=False, doublons_ecartes=False, **identite
):
    """Orient a person into ``plie`` for the prescripteur ``prescripteur`` (one of the structures
    of ``scope``): create her dossier from ``identite``
    (``participants.services.ORIENTATION_FIELDS``, the duplicate check runs:
    ``participants.services.DoublonsProbables`` with no dossier in it) and a candidature
    (``candidat``, oriented today), to be presented to the commission. Nothing is saved on
    error."""
    _require(can_orient(scope, plie.pk))
    errors = {}
    if prescripteur is None:
        _add(errors, "prescripteur", "Indiquez le prescripteur qui oriente la personne.")
    elif not scope.is_superuser and prescripteur.pk not in scope.prescripteur_structure_ids:
        _add(errors, "prescripteur", "Vous n'orientez qu'au nom de votre structure.")
    elif not prescripteurs_of(plie.pk).filter(pk=prescripteur.pk).exists():
        _add(errors, "prescripteur", "Ce prescripteur n'est pas partenaire du PLIE.")
    motif_orientation = (motif_orientation or "").strip()
    if not motif_orientation:
        _add(errors, "motif_orientation", "Indiquez le motif de l'orientation.")
    try:
        participant = participant_orient(
            scope=scope, plie=plie, age_confirme=age_confirme, doublons_ecartes=doublons_ecartes, **identite
        )
    except ValidationError as error:
        for field, messages in error.message_dict.items():
            errors.setdefault(field, []).extend(messages)
        participant = None
    _raise(errors)
    parcours = Parcours(
        participant=participant,
        plie=plie,
        status=StatutParcours.CANDIDAT,
        prescripteur=prescripteur,
        date_orientation=timezone.localdate(),
        motif_orientation=motif_orientation,
        created_by=scope.user,
    )
    parcours._history_user = scope.user
    parcours._change_reason = f"Orientation par {prescripteur}"
    parcours.save()
    return parcours


def _locked_etape(etape):
    return (
        Etape.objects.select_for_update(of=("self",))
        .select_related("parcours__participant", "parcours__plie", "type")
        .get(pk=etape.pk)
    )


@transaction.atomic
def presence_record(*, scope, etape, date, present):
    """Record that the participant of ``etape`` was ``present`` (or absent) on ``date``, a day
    of the étape not in the future; a second record of the same day replaces the first."""
    _require(can_record_etape_outcome(scope, etape))
    etape = _locked_etape(etape)
    errors = {}
    if date is None:
        _add(errors, "date", "La date est obligatoire.")
    else:
        _not_future(errors, "date", date, "La date de présence")
        if date < etape.date_debut:
            _add(errors, "date", f"L'étape commence le {format_date(etape.date_debut)}.")
        if etape.date_fin and date > etape.date_fin:
            _add(errors, "date", f"L'étape s'est terminée le {format_date(etape.date_fin)}.")
    if present is None:
        _add(errors, "present", "Indiquez si la personne était présente.")
    _raise(errors)
    presence, _created = PresenceEtape.objects.update_or_create(
        etape=etape, date=date, defaults={"present": bool(present), "created_by": scope.user}
    )
    return presence


@transaction.atomic
def etape_outcome_record(*, scope, etape, date_fin, resultat):
    """Record the outcome of ``etape``: its actual end (``date_fin``, not in the future, inside
    the parcours) and its ``resultat`` (required), by the opérateur that carries it."""
    _require(can_record_etape_outcome(scope, etape))
    etape = _locked_etape(etape)
    parcours = etape.parcours
    if parcours.status not in STATUTS_OUVERTS:
        raise ValidationError({NON_FIELD_ERRORS: ["Ce parcours est clos : l'étape ne change plus."]})
    resultat = (resultat or "").strip()
    errors = {}
    if date_fin is None:
        _add(errors, "date_fin", "Indiquez la fin effective de l'étape.")
    if not resultat:
        _add(errors, "resultat", "Indiquez le résultat de l'étape.")
    elif len(resultat) > Etape._meta.get_field("resultat").max_length:
        _add(errors, "resultat", "Le résultat tient en 255 caractères au plus.")
    for field, messages in etape_errors(
        parcours,
        type=etape.type,
        date_debut=etape.date_debut,
        date_fin_prevue=etape.date_fin_prevue,
        date_fin=date_fin,
        today=timezone.localdate(),
    ).items():
        if field != "date_fin_prevue":
            errors.setdefault(field, []).extend(messages)
    _raise(errors)
    etape.date_fin = date_fin
    etape.resultat = resultat
    etape._history_user = scope.user
    etape._change_reason = "Résultat saisi par l'opérateur"
    etape.save(update_fields=["date_fin", "resultat"])
    return etape
