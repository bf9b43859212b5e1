"""The commission d'intégration: its sessions, their agenda, the decisions recorded on each
dossier (admission, refusal, reorientation, adjournment, validation of an exit), closing."""

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import transaction
from django.utils import timezone

from parcours import sorties
from parcours.enums import (
    DECISIONS_CANDIDATURE,
    DECISIONS_SORTIE,
    ObjetPassage,
    StatutCommission,
    StatutParcours,
    TypeDecision,
)
from parcours.models import (
    AffectationReferent,
    Commission,
    Decision,
    Parcours,
    Sortie,
)
from parcours.permissions import (
    can_run_commissions,
)
from parcours.services.common import (
    _add,
    _lock,
    _merge,
    _raise,
    _require,
    _save,
    _transition,
    referents_of,
    reorientation_structures_of,
)
from parcours.services.sorties import _validate_sortie, sortie_regle_errors
from parcours.transitions import (
    admission_date_errors,
)
from plie.core.dates import format_date
from plie.core.enums import StructureKind


def sorties_a_valider(plie_id, day):
    """Exits of the PLIE that a commission held on ``day`` may validate, not yet on a session's
    agenda: their type asks for the commission and their rule, if any, is met on ``day``. Each
    parcours gets ``validable_le`` (2 queries: the parcours, the contracts of all of them)."""
    a_l_ordre_du_jour = Decision.objects.filter(
        commission__status=StatutCommission.PREVUE, objet=ObjetPassage.VALIDATION_SORTIE
    ).values("parcours_id")
    candidates = list(
        Parcours.objects.filter(plie_id=plie_id, sortie__validee=False, sortie__type__commission_requise=True)
        .exclude(pk__in=a_l_ordre_du_jour)
        .select_related("participant", "referent", "sortie__type")
        .order_by("sortie__date_sortie", "pk")
    )
    with_rule = [p.pk for p in candidates if p.sortie.type.criteres]
    etapes = {}
    if with_rule:
        for etape in sorties.etapes_for_rules().filter(parcours_id__in=with_rule):
            etapes.setdefault(etape.parcours_id, []).append(etape)
    ready = []
    for parcours in candidates:
        sortie = parcours.sortie
        if sortie.type.criteres:
            periodes = sorties.periodes_of_etapes(etapes.get(parcours.pk, []))
            validable = sorties.date_validable(periodes, sortie.type.criteres, depuis=sortie.date_sortie)
        else:
            validable = sortie.date_sortie
        if validable is not None and validable <= day:
            parcours.validable_le = validable
            ready.append(parcours)
    return ready


def _commission_errors(date, lieu):
    errors = {}
    if date is None:
        _add(errors, "date", "La date de la commission est obligatoire.")
    if len(lieu or "") > Commission._meta.get_field("lieu").max_length:
        _add(errors, "lieu", "Le lieu est trop long (255 caractères au plus).")
    return errors


@transaction.atomic
def commission_create(*, scope, plie, date, lieu="", membres=""):
    """Plan a session of the PLIE's commission d'intégration (et de suivi)."""
    _require(plie.kind == StructureKind.PLIE and can_run_commissions(scope, plie.pk))
    _raise(_commission_errors(date, lieu))
    commission = Commission(plie=plie, date=date, lieu=lieu.strip(), membres=membres.strip())
    commission._history_user = scope.user
    commission.save()
    return commission


def _require_prevue(commission):
    if commission.status != StatutCommission.PREVUE:
        raise ValidationError(
            f"La commission du {format_date(commission.date)} est close : elle ne change plus."
        )


@transaction.atomic
def commission_update(*, scope, commission, date, lieu="", membres=""):
    """Change a planned session's date, place or members (the date is fixed once a decision
    has been recorded: the decisions carry it)."""
    _require(can_run_commissions(scope, commission.plie_id))
    commission = Commission.objects.select_for_update().get(pk=commission.pk)
    _require_prevue(commission)
    errors = _commission_errors(date, lieu)
    if date and date != commission.date and commission.decisions.exclude(decision="").exists():
        _add(errors, "date", "Des décisions sont déjà enregistrées à cette date : elle ne peut plus changer.")
    _raise(errors)
    commission.date, commission.lieu, commission.membres = date, lieu.strip(), membres.strip()
    commission._history_user = scope.user
    commission.save()
    return commission


@transaction.atomic
def commission_delete(*, scope, commission):
    """Delete a planned session where nothing has been decided yet (its agenda goes with it)."""
    _require(can_run_commissions(scope, commission.plie_id))
    commission = Commission.objects.select_for_update().get(pk=commission.pk)
    _require_prevue(commission)
    if commission.decisions.exclude(decision="").exists():
        raise ValidationError("Des décisions sont enregistrées : la commission ne peut plus être supprimée.")
    commission._history_user = scope.user
    commission.delete()


@transaction.atomic
def commission_add_to_agenda(*, scope, commission, candidatures=(), sorties=()):
    """Put candidatures (parcours ``candidat``) and exit validations (parcours with an exit not
    yet validated) on a planned session's agenda; returns the new :class:`Decision` rows.

    A dossier of another PLIE is refused, as is one already on the agenda of a session to come."""
    _require(can_run_commissions(scope, commission.plie_id))
    commission = Commission.objects.select_for_update().get(pk=commission.pk)
    _require_prevue(commission)
    errors = {}
    items = [(p, ObjetPassage.CANDIDATURE, "candidatures") for p in candidatures]
    items += [(p, ObjetPassage.VALIDATION_SORTIE, "sorties") for p in sorties]
    if not items:
        raise ValidationError("Choisissez au moins un dossier à inscrire à l'ordre du jour.")
    pending = {
        (parcours_id, objet): date
        for parcours_id, objet, date in Decision.objects.filter(
            commission__status=StatutCommission.PREVUE, parcours_id__in=[p.pk for p, _, _ in items]
        ).values_list("parcours_id", "objet", "commission__date")
    }
    decisions = []
    for parcours, objet, field in items:
        if parcours.plie_id != commission.plie_id:
            _add(errors, field, f"{parcours.participant} relève d'un autre PLIE : dossier refusé.")
            continue
        if (parcours.pk, objet) in pending:
            date = pending[(parcours.pk, objet)]
            _add(
                errors,
                field,
                f"{parcours.participant} est déjà inscrit à la commission du {format_date(date)}.",
            )
            continue
        if objet == ObjetPassage.CANDIDATURE and parcours.status != StatutParcours.CANDIDAT:
            _add(
                errors,
                field,
                f"{parcours.participant} n'est pas candidat (statut « {parcours.get_status_display()} »).",
            )
            continue
        if (
            objet == ObjetPassage.VALIDATION_SORTIE
            and not Sortie.objects.filter(parcours=parcours, validee=False).exists()
        ):
            _add(errors, field, f"{parcours.participant} n'a pas de sortie en attente de validation.")
            continue
        decisions.append(Decision(commission=commission, parcours=parcours, objet=objet))
    _raise(errors)
    for decision in decisions:
        decision._history_user = scope.user
        decision.save()
    return decisions


@transaction.atomic
def commission_remove_from_agenda(*, scope, decision):
    """Take an undecided dossier off a planned session's agenda."""
    _require(can_run_commissions(scope, decision.commission.plie_id))
    _require_prevue(decision.commission)
    decision = Decision.objects.select_for_update().get(pk=decision.pk)
    if decision.decision:
        raise ValidationError("Ce dossier est déjà décidé : il reste à l'ordre du jour.")
    decision._history_user = scope.user
    decision.delete()


def _decision_errors(decision, values):
    """Which fields each kind of decision requires, per field."""
    errors = {}
    kind = values["type_decision"]
    allowed = DECISIONS_CANDIDATURE if decision.objet == ObjetPassage.CANDIDATURE else DECISIONS_SORTIE
    if kind not in allowed:
        labels = ", ".join(TypeDecision(choice).label.lower() for choice in allowed)
        _add(errors, "decision", f"Pour {decision.get_objet_display().lower()}, la décision est : {labels}.")
        return errors
    if kind == TypeDecision.ADMIS:
        if values["referent"] is None:
            _add(errors, "referent", "Choisissez le référent de parcours.")
        elif not referents_of(decision.commission.plie_id).filter(pk=values["referent"].pk).exists():
            _add(errors, "referent", "Cette personne n'est pas référent de parcours du PLIE.")
    elif kind == TypeDecision.AJOURNE:
        day = values["date_representation"]
        if day is None:
            _add(errors, "date_representation", "Indiquez quand représenter la candidature.")
        elif day <= decision.commission.date:
            _add(errors, "date_representation", "La date de représentation doit suivre la commission.")
    elif kind in (TypeDecision.REFUSE, TypeDecision.SORTIE_NON_VALIDEE):
        if not values["motif"]:
            _add(errors, "motif", "Le motif est obligatoire pour ce type de décision.")
    elif kind == TypeDecision.REORIENTE:
        structure = values["structure_reorientation"]
        if structure is None:
            _add(
                errors,
                "structure_reorientation",
                "Indiquez vers quelle structure la personne est réorientée.",
            )
        elif not reorientation_structures_of(decision.commission.plie_id).filter(pk=structure.pk).exists():
            _add(errors, "structure_reorientation", "Cette structure ne fait pas partie des choix possibles.")
    return errors


@transaction.atomic
def decision_record(
    *,
    scope,
    decision,
    version,
    type_decision,
    motif="",
    motif_partage="",
    date_entree=None,
    referent=None,
    date_signature_contrat=None,
    date_representation=None,
    structure_reorientation=None,
):
    """Record the commission's decision on one dossier of its agenda, and its effect:

    - **admis**: the parcours opens (``en_parcours``) at ``date_entree``, with the référent (an
      :class:`AffectationReferent` starts) and the signature of the contrat d'engagement;
    - **ajourné**: stays a candidature, to re-present on ``date_representation``;
    - **refusé** (motif required), **réorienté** (towards ``structure_reorientation``):
      the candidature closes (``non_admis``);
    - **sortie validée**: the exit is validated on the commission's date (never a job that
      has not met its rule) and the parcours closes (``sorti``); **sortie non validée** (motif
      required): the exit stays proposed.

    ``motif_partage``: what the prescripteur who oriented the person reads of a candidature's
    decision (``parcours.orientations``); the ``motif`` stays in the procès-verbal."""
    commission = decision.commission
    _require(can_run_commissions(scope, commission.plie_id))
    _require_prevue(commission)
    decision = Decision.objects.select_for_update().select_related("commission").get(pk=decision.pk)
    if decision.decision:
        raise ValidationError(f"Décision déjà enregistrée : {decision.get_decision_display()}.")
    if commission.date > timezone.localdate():
        raise ValidationError(f"La commission du {format_date(commission.date)} n'a pas encore eu lieu.")
    parcours = _lock(decision.parcours, version)
    motif = (motif or "").strip()
    values = {
        "type_decision": type_decision,
        "motif": motif,
        "referent": referent,
        "date_representation": date_representation,
        "structure_reorientation": structure_reorientation,
    }
    errors = _decision_errors(decision, values)
    if decision.objet == ObjetPassage.CANDIDATURE and parcours.status != StatutParcours.CANDIDAT:
        _add(
            errors,
            NON_FIELD_ERRORS,
            f"Ce dossier n'est plus une candidature (statut « {parcours.get_status_display()} »).",
        )
    if type_decision == TypeDecision.ADMIS:
        dates = admission_date_errors(
            date_orientation=parcours.date_orientation,
            date_commission=commission.date,
            date_entree=date_entree,
            date_signature_contrat=date_signature_contrat,
        )
        _merge(errors, {NON_FIELD_ERRORS if f == "date_commission" else f: m for f, m in dates.items()})
    sortie = None
    if decision.objet == ObjetPassage.VALIDATION_SORTIE and "decision" not in errors:
        sortie = Sortie.objects.select_related("type").filter(parcours=parcours).first()
        if sortie is None or sortie.validee:
            _add(errors, NON_FIELD_ERRORS, "Ce dossier n'a pas de sortie en attente de validation.")
        elif type_decision == TypeDecision.SORTIE_VALIDEE:
            for message in sortie_regle_errors(parcours, sortie, commission.date):
                _add(errors, "decision", message)
    _raise(errors)

    reason = f"Commission du {format_date(commission.date)} : {TypeDecision(type_decision).label.lower()}"
    if decision.objet == ObjetPassage.CANDIDATURE:
        parcours.date_commission = commission.date
        if type_decision == TypeDecision.ADMIS:
            parcours.date_entree = date_entree
            parcours.date_signature_contrat = date_signature_contrat
            parcours.referent = referent
            parcours.date_representation = None
            _transition(parcours, StatutParcours.EN_PARCOURS, scope=scope, reason=reason)
            AffectationReferent.objects.create(
                parcours=parcours,
                referent=referent,
                date_debut=date_entree,
                motif=f"Admission (commission du {format_date(commission.date)})",
                created_by=scope.user,
            )
        elif type_decision == TypeDecision.AJOURNE:
            parcours.date_representation = date_representation
            parcours._change_reason = reason
        else:
            _transition(parcours, StatutParcours.NON_ADMIS, scope=scope, reason=reason)
        _save(parcours, scope=scope)
    elif type_decision == TypeDecision.SORTIE_VALIDEE:
        _validate_sortie(parcours, sortie, scope=scope, date_validation=commission.date, reason=reason)

    decision.decision = type_decision
    decision.motif = motif
    decision.motif_partage = (
        (motif_partage or "").strip() if decision.objet == ObjetPassage.CANDIDATURE else ""
    )
    decision.date_representation = date_representation if type_decision == TypeDecision.AJOURNE else None
    decision.structure_reorientation = (
        structure_reorientation if type_decision == TypeDecision.REORIENTE else None
    )
    decision.decided_at = timezone.now()
    decision.decided_by = scope.user
    decision._history_user = scope.user
    decision.save()
    return decision


@transaction.atomic
def commission_close(*, scope, commission):
    """Close a session once every dossier of its agenda is decided: its PV can be printed and it
    no longer changes."""
    _require(can_run_commissions(scope, commission.plie_id))
    commission = Commission.objects.select_for_update().get(pk=commission.pk)
    _require_prevue(commission)
    if commission.date > timezone.localdate():
        raise ValidationError(f"La commission du {format_date(commission.date)} n'a pas encore eu lieu.")
    total = commission.decisions.count()
    if total == 0:
        raise ValidationError("L'ordre du jour est vide : inscrivez des dossiers ou supprimez la session.")
    undecided = commission.decisions.filter(decision="").count()
    if undecided:
        raise ValidationError(
            f"{undecided} dossier{'s' if undecided > 1 else ''} sans décision : "
            "décidez-les ou retirez-les de l'ordre du jour avant de clore la session."
        )
    commission.status = StatutCommission.TENUE
    commission._history_user = scope.user
    commission.save()
    return commission
