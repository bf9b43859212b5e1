"""Writes on operations and enrolments: the operation itself, enrolment (with the FSE entry
questionnaire pre-filled from the dossier), its confirmation, the exit and its data, and the
1 January carry-over into the next year's operation.

Every function is atomic, checks who may act (:mod:`operations.permissions`) and validates what
it is given, raising a ``ValidationError`` per field with French messages (nothing is
half-saved)."""

import datetime
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from operations.enums import PieceJustificative
from operations.models import Inscription, Operation
from operations.permissions import can_fill_inscription, can_manage_operations
from participants.enums import StatutEmploi
from participants.permissions import can_view_sensitive_data
from participants.services import DUREE_RECHERCHE_MAX_MOIS, situation_normalize
from plie.core.dates import format_date
from plie.core.enums import StructureKind
from plie.core.models import Structure
from plie.core.scoping import SENSITIVE_ANSWERS

OPERATION_FIELDS = (
    "code",
    "numero_mdfse",
    "intitule",
    "porteur",
    "date_debut",
    "date_fin",
    "programme",
    "axe",
    "objectif_specifique",
    "budget_total",
    "budget_fse",
    "autres_financements",
    "cofinanceurs",
    "places",
    "objectif_participants",
    "objectif_sorties_positives",
    "objectif_emploi_durable",
    "objectif_emploi_transition",
    "objectif_sorties_dynamiques",
    "nomenclature",
    "pieces_requises",
)
OBJECTIFS_POURCENTAGE = (
    "objectif_sorties_positives",
    "objectif_emploi_durable",
    "objectif_emploi_transition",
    "objectif_sorties_dynamiques",
)
QUESTIONNAIRE_FIELDS = ("date_questionnaire", *Inscription.answer_fields())
SORTIE_DATA_FIELDS = (
    "sortie_anticipee",
    "sortie_statut_emploi",
    "sortie_en_formation",
    "sortie_recherche_emploi",
    "sortie_qualification",
)
REPORT_BATCH_SIZE = 1000


# --- helpers --------------------------------------------------------------------------------


def _add(errors, field, message):
    errors.setdefault(field, []).append(message)


def _raise(errors):
    if errors:
        raise ValidationError(errors)


def _require(allowed):
    if not allowed:
        raise PermissionDenied


def _periode(operation):
    return f"du {format_date(operation.date_debut)} au {format_date(operation.date_fin)}"


def porteurs_of(plie_id):
    """Who may carry an operation of the PLIE: the PLIE itself or an opérateur partner of it."""
    from django.db.models import Q

    return Structure.objects.filter(Q(pk=plie_id) | Q(kind=StructureKind.OPERATEUR, plies=plie_id)).order_by(
        "-kind", "nom"
    )


# --- operations -----------------------------------------------------------------------------


def _operation_errors(operation):
    errors = {}
    if not (operation.code or "").strip():
        _add(errors, "code", "Le code de l'opération est obligatoire.")
    elif (
        Operation.objects.filter(plie_id=operation.plie_id, code__iexact=operation.code.strip())
        .exclude(pk=operation.pk)
        .exists()
    ):
        _add(
            errors,
            "code",
            f"Le code « {operation.code.strip()} » est déjà utilisé par une opération du PLIE.",
        )
    if not (operation.intitule or "").strip():
        _add(errors, "intitule", "L'intitulé de l'opération est obligatoire.")
    if operation.date_debut is None:
        _add(errors, "date_debut", "La date de début est obligatoire.")
    if operation.date_fin is None:
        _add(errors, "date_fin", "La date de fin est obligatoire.")
    if operation.date_debut and operation.date_fin and operation.date_fin < operation.date_debut:
        _add(errors, "date_fin", "La date de fin ne peut pas précéder la date de début.")
    if operation.porteur_id is None:
        _add(errors, "porteur", "Indiquez le porteur de l'opération.")
    elif not porteurs_of(operation.plie_id).filter(pk=operation.porteur_id).exists():
        _add(errors, "porteur", "Le porteur doit être le PLIE lui-même ou un opérateur partenaire du PLIE.")
    for name in OBJECTIFS_POURCENTAGE:
        value = getattr(operation, name)
        if value is not None and not (0 <= value <= 100):
            _add(errors, name, "Un objectif en pourcentage est compris entre 0 et 100.")
    for name in ("budget_total", "budget_fse", "autres_financements"):
        value = getattr(operation, name)
        if value is not None and value < 0:
            _add(errors, name, "Un montant ne peut pas être négatif.")
    total, fse = operation.budget_total, operation.budget_fse
    if total is not None and fse is not None and fse > total:
        _add(errors, "budget_fse", "La part FSE ne peut pas dépasser le budget total.")
    autres = operation.autres_financements
    if total is not None and autres is not None and (fse or Decimal(0)) + autres > total:
        _add(
            errors,
            "autres_financements",
            "La part FSE et les autres cofinancements ne peuvent pas dépasser le budget total.",
        )
    inconnues = [code for code in operation.pieces_requises or [] if code not in PieceJustificative.values]
    if inconnues:
        _add(errors, "pieces_requises", f"Pièce(s) inconnue(s) : {', '.join(inconnues)}.")
    return errors


@transaction.atomic
def operation_save(*, scope, operation=None, plie=None, **data):
    """Create (``plie`` given) or change ``operation``: code unique in the PLIE, end on or after
    the start, porteur the PLIE or one of its opérateurs, targets 0–100 %, FSE share within the
    total budget."""
    unknown = set(data) - set(OPERATION_FIELDS)
    if unknown:
        raise ValueError(f"Champs inconnus : {', '.join(sorted(unknown))}")
    if operation is None:
        if plie is None:
            raise ValidationError({"plie": ["Indiquez le PLIE de l'opération."]})
        operation = Operation(plie=plie)
    _require(can_manage_operations(scope, operation.plie_id))
    for name, value in data.items():
        if name == "porteur":
            operation.porteur_id = value.pk if value is not None else None
        elif isinstance(value, str):
            setattr(operation, name, value.strip())
        else:
            setattr(operation, name, value)
    if operation.pieces_requises is None:
        operation.pieces_requises = []
    _raise(_operation_errors(operation))
    operation._history_user = scope.user
    operation.save()
    return operation


# --- enrolment --------------------------------------------------------------------------------


def _inscription_errors(operation, participant, date_entree, parcours):
    errors = {}
    if participant.plie_id != operation.plie_id:
        _add(errors, "participant", f"{participant} ne relève pas du PLIE de l'opération.")
        return errors
    if parcours is not None and parcours.participant_id != participant.pk:
        _add(errors, "parcours", "Ce parcours n'est pas celui de ce participant.")
    if date_entree is None:
        _add(errors, "date_entree", "La date d'entrée dans l'opération est obligatoire.")
        return errors
    if not (operation.date_debut <= date_entree <= operation.date_fin):
        _add(
            errors,
            "date_entree",
            f"La date d'entrée ({format_date(date_entree)}) est en dehors de la période de l'opération "
            f"({_periode(operation)}).",
        )
    existante = Inscription.objects.filter(operation=operation, participant=participant).first()
    if existante is not None and existante.date_sortie is None:
        _add(
            errors,
            "participant",
            f"{participant} est déjà inscrit(e) dans cette opération depuis le "
            f"{format_date(existante.date_entree)} (inscription ouverte).",
        )
    elif existante is not None and date_entree < existante.date_sortie:
        _add(
            errors,
            "date_entree",
            f"{participant} a quitté cette opération le {format_date(existante.date_sortie)} : "
            "la nouvelle entrée ne peut pas la précéder.",
        )
    return errors


def prefill(inscription, participant):
    """Pre-fill the enrolment's questionnaire from the dossier's situation at entry (to be
    confirmed: ``questionnaire_confirme_le`` stays empty)."""
    situation = participant.situation_entree
    if situation is not None:
        inscription.copy_answers_from(situation)
    return situation


SORTIE_VIDE = {
    "sortie_anticipee": None,
    "sortie_statut_emploi": "",
    "sortie_en_formation": None,
    "sortie_recherche_emploi": None,
    "sortie_qualification": None,
    "sortie_renseignee_le": None,
}


def rouvrir(inscription, *, scope, reason="Retour dans l'opération"):
    """Re-open a closed enrolment: a participant who leaves and re-enters the same operation
    keeps ONE record, counted once (FSE+: one participant per operation, docs/domaine.md §6). Its entry
    date and entry questionnaire stay those of the first entry; the exit date and exit data
    are cleared, to be recorded at the final exit (SFC Support Portal, ESF monitoring FAQ « When
    participation records are updated following re-entry into an operation… »: « Only data
    associated with the initial entry and final exit date are required »)."""
    inscription.date_sortie = None
    for name, value in SORTIE_VIDE.items():
        setattr(inscription, name, value)
    inscription._history_user = scope.user
    inscription._change_reason = reason
    inscription.save()
    inscription.rouverte = True  # the page says it was re-opened, not created
    return inscription


@transaction.atomic
def inscrire(operation, participant, date_entree, *, parcours=None, scope):
    """Enrol ``participant`` in ``operation`` on ``date_entree``: within the operation's period,
    no open enrolment in it, a participant of the operation's PLIE. The questionnaire is
    pre-filled from the situation at entry, to be confirmed.

    A participant who already left this operation re-enters it: the enrolment is **re-opened**
    (:func:`rouvrir`, entry date and questionnaire of the first entry kept), never doubled
    (one participant, one record per operation; a database constraint holds it)."""
    _require(can_manage_operations(scope, operation.plie_id))
    _raise(_inscription_errors(operation, participant, date_entree, parcours))
    existante = (
        Inscription.objects.select_for_update().filter(operation=operation, participant=participant).first()
    )
    if existante is not None:
        return rouvrir(existante, scope=scope)
    if parcours is None:
        parcours = (
            participant.parcours.exclude(date_entree__isnull=True).order_by("-date_entree", "-pk").first()
        )
    inscription = Inscription(
        operation=operation, participant=participant, parcours=parcours, date_entree=date_entree
    )
    prefill(inscription, participant)
    inscription._history_user = scope.user
    inscription.save()
    return inscription


def inscrire_parcours(parcours, operation, scope):
    """Enrol an admitted parcours in ``operation``, entering on the later of the parcours' entry
    and the operation's start."""
    if parcours.date_entree is None:
        raise ValidationError(
            {
                "parcours": [
                    "Ce parcours n'a pas encore commencé : seule une personne entrée peut être inscrite."
                ]
            }
        )
    date_entree = max(parcours.date_entree, operation.date_debut)
    if parcours.date_sortie is not None and parcours.date_sortie < date_entree:
        raise ValidationError(
            {
                "parcours": [
                    f"Ce parcours est sorti le {format_date(parcours.date_sortie)}, avant le début "
                    "de l'opération."
                ]
            }
        )
    return inscrire(operation, parcours.participant, date_entree, parcours=parcours, scope=scope)


# --- entry questionnaire --------------------------------------------------------------------


def _questionnaire_errors(inscription, day):
    errors = {}
    try:
        inscription.clean_fields(
            exclude=[f.name for f in Inscription._meta.fields if f.name not in QUESTIONNAIRE_FIELDS]
        )
    except ValidationError as error:
        errors.update({field: list(messages) for field, messages in error.message_dict.items()})
    questionnaire = inscription.date_questionnaire
    if questionnaire is None:
        _add(errors, "date_questionnaire", "La date du questionnaire est obligatoire pour le confirmer.")
    elif questionnaire > day:
        _add(errors, "date_questionnaire", "La date du questionnaire ne peut pas être future.")
    elif inscription.date_entree > questionnaire:
        _add(
            errors,
            "date_questionnaire",
            "La date d'entrée ne peut pas être postérieure à la date du questionnaire "
            f"(entrée le {format_date(inscription.date_entree)}).",
        )
    duree = inscription.duree_recherche_mois
    if duree is not None and duree > DUREE_RECHERCHE_MAX_MOIS:
        _add(
            errors, "duree_recherche_mois", f"Durée peu plausible : {DUREE_RECHERCHE_MAX_MOIS} mois au plus."
        )
    if inscription.minima_sociaux is False and inscription.beneficiaire_rsa:
        _add(
            errors,
            "beneficiaire_rsa",
            "Le RSA est un minimum social : répondez « Oui » à la question 4 ou « Non » ici.",
        )
    if inscription.menage_monoparental and inscription.menage_enfants is False:
        _add(
            errors,
            "menage_monoparental",
            "Un ménage d'un seul adulte avec enfants à charge a des enfants à charge.",
        )
    return errors


@transaction.atomic
def confirmer_questionnaire(inscription, data, *, scope, day=None):
    """Save the enrolment's entry questionnaire (answers and date) and mark it confirmed on
    ``day`` by ``scope``. Partial answers are accepted (the completeness board lists them)."""
    unknown = set(data) - set(QUESTIONNAIRE_FIELDS)
    if unknown:
        raise ValueError(f"Champs inconnus : {', '.join(sorted(unknown))}")
    _require(can_fill_inscription(scope, inscription))
    if set(data) & set(SENSITIVE_ANSWERS):
        _require(can_view_sensitive_data(scope, inscription.participant))  # Q3: référent, animation
    day = day or timezone.localdate()
    for name, value in data.items():
        setattr(inscription, name, "" if value is None and name in _CHAR_ANSWERS else value)
    situation_normalize(inscription)
    _raise(_questionnaire_errors(inscription, day))
    inscription.questionnaire_confirme_le = day
    inscription.questionnaire_confirme_par = scope.user
    inscription._history_user = scope.user
    inscription.save()
    return inscription


_CHAR_ANSWERS = frozenset(
    f.name
    for f in Inscription._meta.fields
    if f.name in QUESTIONNAIRE_FIELDS and f.get_internal_type() == "CharField"
)


# --- exit -------------------------------------------------------------------------------------


def has_sortie_data(values):
    return any(values.get(name) not in (None, "") for name in SORTIE_DATA_FIELDS)


@transaction.atomic
def sortir(inscription, date_sortie, *, scope, day=None, **sortie_data):
    """Close ``inscription`` on ``date_sortie`` (not before the entry, not after the operation's
    end, not in the future) and record its exit data; ``sortie_renseignee_le`` is the day the
    data was entered (the 4-week window is judged on it)."""
    unknown = set(sortie_data) - set(SORTIE_DATA_FIELDS)
    if unknown:
        raise ValueError(f"Champs inconnus : {', '.join(sorted(unknown))}")
    _require(can_fill_inscription(scope, inscription))
    day = day or timezone.localdate()
    operation = inscription.operation
    errors = {}
    if date_sortie is None:
        _add(errors, "date_sortie", "La date de sortie est obligatoire.")
    elif date_sortie < inscription.date_entree:
        _add(
            errors,
            "date_sortie",
            "La date de sortie ne peut pas précéder la date d'entrée "
            f"({format_date(inscription.date_entree)}).",
        )
    elif date_sortie > operation.date_fin:
        _add(
            errors,
            "date_sortie",
            "La date de sortie ne peut pas être après la fin de l'opération "
            f"({format_date(operation.date_fin)}).",
        )
    elif date_sortie > day:
        _add(errors, "date_sortie", "La date de sortie ne peut pas être future.")
    statut = sortie_data.get("sortie_statut_emploi") or ""
    if statut and statut not in StatutEmploi.values:
        _add(errors, "sortie_statut_emploi", "Choisissez une réponse de la liste.")
    if statut and statut != StatutEmploi.SANS_EMPLOI and sortie_data.get("sortie_recherche_emploi"):
        _add(
            errors,
            "sortie_recherche_emploi",
            "Une personne en emploi à la sortie ne « recherche » pas d'emploi : répondez « Non ».",
        )
    donnees = {name: sortie_data.get(name, getattr(inscription, name)) for name in SORTIE_DATA_FIELDS}
    if has_sortie_data(donnees):  # the exit block is complete or absent (MDFSE « blocs de question »)
        for name in SORTIE_DATA_FIELDS:
            if donnees[name] in (None, ""):
                _add(
                    errors,
                    name,
                    "Réponse manquante : les données de sortie se saisissent ensemble "
                    "(un bloc incomplet est rejeté par Ma Démarche FSE).",
                )
    _raise(errors)
    before = {name: getattr(inscription, name) for name in SORTIE_DATA_FIELDS}
    inscription.date_sortie = date_sortie
    for name, value in sortie_data.items():
        setattr(inscription, name, "" if value is None and name == "sortie_statut_emploi" else value)
    after = {name: getattr(inscription, name) for name in SORTIE_DATA_FIELDS}
    if not has_sortie_data(after):
        inscription.sortie_renseignee_le = None
    elif after != before or inscription.sortie_renseignee_le is None:
        inscription.sortie_renseignee_le = day
    inscription._history_user = scope.user
    inscription.save()
    return inscription


# --- carry-over into the next year's operation -------------------------------------------------


def cibles_report(source):
    """Operations an enrolment of ``source`` may be carried into: same PLIE, starting after it."""
    return Operation.objects.filter(plie_id=source.plie_id, date_debut__gt=source.date_fin).order_by(
        "date_debut", "code"
    )


def a_reporter(source):
    """Enrolments of ``source`` still open (not left) and not yet carried over."""
    return source.inscriptions.filter(
        date_sortie__isnull=True, date_entree__lte=source.date_fin, report__isnull=True
    )


def _report_errors(source, cible):
    errors = {}
    if cible is None:
        _add(errors, "cible", "Choisissez l'opération dans laquelle reporter les inscriptions.")
    elif cible.plie_id != source.plie_id:
        _add(errors, "cible", "L'opération cible doit relever du même PLIE.")
    elif cible.date_debut <= source.date_fin:
        _add(
            errors,
            "cible",
            "L'opération cible doit commencer après la fin de l'opération source "
            f"({format_date(source.date_fin)}).",
        )
    return errors


@transaction.atomic
def reporter(source, cible, *, scope):
    """The 1 January carry-over, in one bulk action: every enrolment of ``source`` still open on
    its end date is closed on ``source.date_fin`` and continued in ``cible`` from
    ``cible.date_debut`` (``report_de`` set, answers copied, questionnaire to confirm).

    Idempotent: an enrolment already carried over is not carried again; a participant already
    enrolled (open) in ``cible`` is only closed in ``source``; one who already left ``cible`` has
    that enrolment re-opened (one record per participant and operation). A fixed number of queries whatever
    the number of enrolments. Returns ``{"reportees": n, "deja_inscrites": m}``."""
    _require(can_manage_operations(scope, source.plie_id))
    _raise(_report_errors(source, cible))
    # lock the source's open enrolments: two carry-overs at once would both create rows
    rows = list(a_reporter(source).select_for_update(of=("self",)).order_by("pk"))
    if not rows:
        return {"reportees": 0, "deja_inscrites": 0}
    deja = set(
        cible.inscriptions.ouvertes()
        .filter(participant_id__in=[row.participant_id for row in rows])
        .values_list("participant_id", flat=True)
    )
    # one record per participant and operation: one who already left ``cible`` is re-entered there
    fermees = {
        inscription.participant_id: inscription
        for inscription in cible.inscriptions.filter(
            date_sortie__isnull=False, participant_id__in=[row.participant_id for row in rows]
        ).select_for_update()
    }
    now = timezone.now()
    Inscription.objects.filter(pk__in=[row.pk for row in rows]).update(
        date_sortie=source.date_fin, updated_at=now
    )
    for row in rows:
        row.date_sortie, row.updated_at = source.date_fin, now
    Inscription.history.bulk_history_create(
        rows,
        batch_size=REPORT_BATCH_SIZE,
        update=True,
        default_user=scope.user,
        default_change_reason="Report",
    )
    nouvelles = []
    for row in rows:
        if row.participant_id in deja:
            continue
        if row.participant_id in fermees:
            rouvrir(fermees[row.participant_id], scope=scope, reason="Report")
            deja.add(row.participant_id)
            continue
        inscription = Inscription(
            operation=cible,
            participant_id=row.participant_id,
            parcours_id=row.parcours_id,
            date_entree=cible.date_debut,
            report_de=row,
        )
        inscription.copy_answers_from(row)
        nouvelles.append(inscription)
    created = Inscription.objects.bulk_create(nouvelles, batch_size=REPORT_BATCH_SIZE)
    if created and created[0].pk is not None:
        Inscription.history.bulk_history_create(
            created, batch_size=REPORT_BATCH_SIZE, default_user=scope.user, default_change_reason="Report"
        )
    return {"reportees": len(created), "deja_inscrites": len(deja)}


def date_report_par_defaut(source):
    """The usual target start: the day after the source's end (1 January)."""
    return source.date_fin + datetime.timedelta(days=1)
