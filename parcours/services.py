"""Writes on a parcours: the candidature, the commission's sessions and decisions, suspensions,
changes of référent and exits.

Every function is keyword-only and atomic, checks who may act, and validates what it is given,
raising a ``ValidationError`` per field with French messages (nothing is half-saved). Status
changes go through :func:`parcours.transitions.transition`.

**Optimistic locking.** A service that changes a parcours takes the ``version`` the user's form
was built from. It re-reads the parcours row locked (``select_for_update``) and refuses with
:class:`ConflictError` when the version moved in between (someone else saved first); each save
bumps the version. Two people editing the same parcours therefore never silently overwrite each
other: the second one is told who changed it, and when, and reloads."""

import datetime

from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from parcours import sorties
from parcours.enums import (
    DECISIONS_CANDIDATURE,
    DECISIONS_SORTIE,
    DistanceEmploi,
    MotifSuspension,
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
    Suspension,
    TypeSortie,
)
from parcours.permissions import (
    can_cancel_sortie,
    can_change_referent,
    can_follow_parcours,
    can_run_commissions,
)
from parcours.sorties import add_months
from parcours.transitions import (
    TransitionError,
    admission_date_errors,
    check_writable,
    in_parcours_date_errors,
    sortie_date_errors,
    transition,
)
from plie.core.dates import format_date
from plie.core.enums import Role, StructureKind
from plie.core.models import Membership, Structure, User

# Parcours still open: a participant has at most one of them.
STATUTS_OUVERTS = (
    StatutParcours.CANDIDAT,
    StatutParcours.EN_PARCOURS,
    StatutParcours.SUSPENDU,
    StatutParcours.EN_SUIVI_EMPLOI,
)
INCARCERATION_MAX_MOIS = 3


class ConflictError(Exception):
    """The parcours changed since the user's form was built (optimistic locking)."""

    def __init__(self, parcours):
        self.parcours = parcours
        record = (
            parcours.history.select_related("history_user").order_by("-history_date", "-history_id").first()
        )
        if record is not None and record.history_user is not None:
            who = record.history_user.get_full_name() or record.history_user.email
        else:
            who = "un autre utilisateur"
        when = timezone.localtime(record.history_date) if record is not None else timezone.localtime()
        self.message = f"Ce parcours a été modifié par {who} le {when:%d/%m/%Y à %H:%M} : rechargez la page."
        super().__init__(self.message)


def _require(allowed):
    if not allowed:
        raise PermissionDenied


# --- referentials of a PLIE ------------------------------------------------------------------


def referents_of(plie_id):
    """Active référents working for the PLIE: members of the PLIE itself or of a partner
    structure (an opérateur employing référents)."""
    memberships = Membership.objects.active().filter(
        Q(structure_id=plie_id) | Q(structure__plies=plie_id), role=Role.REFERENT
    )
    return User.objects.filter(is_active=True, pk__in=memberships.values("user_id")).order_by(
        "last_name", "first_name", "email"
    )


def prescripteurs_of(plie_id):
    return Structure.objects.filter(kind=StructureKind.PRESCRIPTEUR, plies=plie_id).order_by("nom")


def reorientation_structures_of(plie_id):
    """Where a candidate may be reoriented: a prescripteur or opérateur partner of the PLIE, or
    another PLIE."""
    partners = Q(kind__in=[StructureKind.PRESCRIPTEUR, StructureKind.OPERATEUR], plies=plie_id)
    other_plies = Q(kind=StructureKind.PLIE) & ~Q(pk=plie_id)
    return Structure.objects.filter(partners | other_plies).distinct().order_by("nom")


def types_sortie_of(plie_id):
    return TypeSortie.objects.filter(plie_id=plie_id, is_active=True).order_by("ordre", "libelle")


# --- helpers --------------------------------------------------------------------------------


def _add(errors, field, message):
    errors.setdefault(field, []).append(message)


def _raise(errors):
    if errors:
        raise ValidationError(errors)


def _merge(errors, more):
    for field, messages in more.items():
        errors.setdefault(field, []).extend(messages)


def _not_future(errors, field, day, label):
    if day and day > timezone.localdate():
        _add(errors, field, f"{label} ne peut pas être dans le futur.")


def _lock(parcours, version):
    """``parcours`` re-read and locked for this transaction; :class:`ConflictError` when its
    version is no longer ``version`` (the one the user's form was built from)."""
    current = (
        Parcours.objects.select_for_update(of=("self",))
        .select_related("participant", "plie")
        .get(pk=parcours.pk)
    )
    try:
        version = int(version)
    except (TypeError, ValueError):
        version = None
    if version != current.version:
        raise ConflictError(current)
    return current


def _save(parcours, *, scope):
    parcours.version += 1
    parcours._history_user = scope.user
    parcours.save()
    return parcours


def _transition_errors(error):
    """A guard's per-field errors, with the commission date (not a form field) above the form."""
    if not hasattr(error, "error_dict"):
        return error
    errors = {}
    for field, messages in error.message_dict.items():
        _merge(errors, {NON_FIELD_ERRORS if field == "date_commission" else field: messages})
    return ValidationError(errors)


# --- candidature ------------------------------------------------------------------------------


@transaction.atomic
def candidature_create(
    *,
    scope,
    participant,
    prescripteur,
    date_orientation,
    motif_orientation="",
    projet="",
    freins_diagnostic="",
    distance_emploi="",
    referent=None,
):
    """Record a prescripteur's orientation and the référent's diagnostic: a new parcours in
    the status ``candidat``, to be presented to the commission."""
    plie_id = participant.plie_id
    _require(can_follow_parcours(scope, plie_id))
    errors = {}
    ouvert = Parcours.objects.filter(participant=participant, status__in=STATUTS_OUVERTS).first()
    if ouvert is not None:
        _add(
            errors,
            NON_FIELD_ERRORS,
            f"{participant} a déjà un parcours ouvert (statut « {ouvert.get_status_display()} »).",
        )
    if prescripteur is None:
        _add(errors, "prescripteur", "Indiquez le prescripteur qui oriente la personne.")
    elif not prescripteurs_of(plie_id).filter(pk=prescripteur.pk).exists():
        _add(errors, "prescripteur", "Ce prescripteur n'est pas partenaire du PLIE.")
    if date_orientation is None:
        _add(errors, "date_orientation", "La date d'orientation est obligatoire.")
    _not_future(errors, "date_orientation", date_orientation, "La date d'orientation")
    if distance_emploi and distance_emploi not in DistanceEmploi.values:
        _add(errors, "distance_emploi", "Choisissez une distance à l'emploi de la liste.")
    if referent is not None and not referents_of(plie_id).filter(pk=referent.pk).exists():
        _add(errors, "referent", "Cette personne n'est pas référent de parcours du PLIE.")
    _raise(errors)
    parcours = Parcours(
        participant=participant,
        plie_id=plie_id,
        status=StatutParcours.CANDIDAT,
        prescripteur=prescripteur,
        date_orientation=date_orientation,
        motif_orientation=motif_orientation.strip(),
        projet=projet.strip(),
        freins_diagnostic=freins_diagnostic.strip(),
        distance_emploi=distance_emploi,
        referent=referent,
        created_by=scope.user,
    )
    parcours._history_user = scope.user
    parcours.save()
    return parcours


def candidatures_a_presenter(plie_id):
    """Candidatures of the PLIE not yet on the agenda of a session to come."""
    a_l_ordre_du_jour = Decision.objects.filter(
        commission__status=StatutCommission.PREVUE, objet=ObjetPassage.CANDIDATURE
    ).values("parcours_id")
    return (
        Parcours.objects.filter(plie_id=plie_id, status=StatutParcours.CANDIDAT)
        .exclude(pk__in=a_l_ordre_du_jour)
        .select_related("participant", "referent", "prescripteur")
        .order_by("date_orientation", "pk")
    )


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


# --- commission -------------------------------------------------------------------------------


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
      required): the exit stays proposed."""
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


def _transition(parcours, to_status, *, scope, reason="", day=None):
    try:
        transition(parcours, to_status, scope=scope, reason=reason, day=day)
    except TransitionError as error:
        raise _transition_errors(error) from error


# --- suspensions ------------------------------------------------------------------------------


@transaction.atomic
def suspension_start(*, scope, parcours, version, motif, date_debut, date_fin=None):
    """Suspend a parcours (health, family, incarceration of less than 3 months); ``date_fin``
    is the planned end, if known. A suspended parcours is not an exit."""
    _require(can_follow_parcours(scope, parcours.plie_id))
    parcours = _lock(parcours, version)
    check_writable(parcours, scope=scope)
    errors = {}
    if motif not in MotifSuspension.values:
        _add(errors, "motif", "Choisissez le motif de la suspension.")
    _merge(
        errors,
        in_parcours_date_errors(parcours, date_debut, field="date_debut", label="Le début de la suspension"),
    )
    _not_future(errors, "date_debut", date_debut, "Le début de la suspension")
    if date_debut and date_fin:
        if date_fin < date_debut:
            _add(errors, "date_fin", "La fin prévue doit suivre le début de la suspension.")
        elif motif == MotifSuspension.INCARCERATION and date_fin > add_months(
            date_debut, INCARCERATION_MAX_MOIS
        ):
            _add(
                errors,
                "date_fin",
                "Une incarcération de plus de 3 mois n'est pas une suspension : enregistrez une sortie.",
            )
    if date_debut:
        previous = parcours.suspensions.filter(date_fin__gte=date_debut).first()
        if previous is not None:
            _add(
                errors,
                "date_debut",
                f"Chevauche la suspension du {format_date(previous.date_debut)} au "
                f"{format_date(previous.date_fin)}.",
            )
    _raise(errors)
    _transition(parcours, StatutParcours.SUSPENDU, scope=scope, day=date_debut)
    suspension = Suspension(parcours=parcours, motif=motif, date_debut=date_debut, date_fin=date_fin)
    suspension._history_user = scope.user
    suspension.save()
    _save(parcours, scope=scope)
    return suspension


def suspension_en_cours(parcours):
    """The current suspension of a suspended parcours (its latest), else ``None``."""
    if parcours.status != StatutParcours.SUSPENDU:
        return None
    return parcours.suspensions.order_by("-date_debut", "-pk").first()


@transaction.atomic
def suspension_end(*, scope, suspension, version, date_fin):
    """End the current suspension: the accompaniment resumes (``en_parcours``)."""
    _require(can_follow_parcours(scope, suspension.parcours.plie_id))
    parcours = _lock(suspension.parcours, version)
    check_writable(parcours, scope=scope)
    suspension = Suspension.objects.select_for_update().get(pk=suspension.pk)
    current = suspension_en_cours(parcours)
    if current is None or current.pk != suspension.pk:
        raise ValidationError("Cette suspension n'est pas en cours.")
    errors = {}
    if date_fin is None:
        _add(errors, "date_fin", "La date de fin de la suspension est obligatoire.")
    elif date_fin < suspension.date_debut:
        _add(
            errors,
            "date_fin",
            f"La fin doit suivre le début de la suspension (le {format_date(suspension.date_debut)}).",
        )
    _not_future(errors, "date_fin", date_fin, "La fin de la suspension")
    _raise(errors)
    _transition(parcours, StatutParcours.EN_PARCOURS, scope=scope, day=date_fin)
    suspension.date_fin = date_fin
    suspension._history_user = scope.user
    suspension.save()
    _save(parcours, scope=scope)
    return suspension


# --- référent ---------------------------------------------------------------------------------


@transaction.atomic
def referent_change(*, scope, parcours, version, referent, date, motif=""):
    """Hand the parcours over to another référent on ``date``: the current
    :class:`AffectationReferent` ends the day before, the next one starts on ``date``, so the
    history keeps who followed the participant when. On a closed parcours, only an
    administrateur, with ``motif`` as the reason."""
    parcours = _lock(parcours, version)
    _require(can_change_referent(scope, parcours))  # on the current référent, not the one displayed
    motif = (motif or "").strip()
    try:
        check_writable(parcours, scope=scope, reason=motif)
    except TransitionError as error:
        if hasattr(error, "error_dict"):
            raise ValidationError({"motif": error.messages}) from error
        raise
    errors = {}
    if referent is None:
        _add(errors, "referent", "Choisissez le nouveau référent.")
    elif referent.pk == parcours.referent_id:
        _add(errors, "referent", f"{referent} suit déjà ce parcours.")
    elif not referents_of(parcours.plie_id).filter(pk=referent.pk).exists():
        _add(errors, "referent", "Cette personne n'est pas référent de parcours du PLIE.")
    if parcours.status in (StatutParcours.CANDIDAT, StatutParcours.NON_ADMIS):
        if parcours.status == StatutParcours.NON_ADMIS:
            _add(errors, NON_FIELD_ERRORS, "Cette candidature est close.")
        _raise(errors)
        parcours.referent = referent  # the référent proposed for the candidature
        parcours._change_reason = motif
        return _save(parcours, scope=scope)
    current = parcours.affectations.filter(date_fin__isnull=True).order_by("-date_debut", "-pk").first()
    _merge(errors, in_parcours_date_errors(parcours, date, field="date", label="La date du changement"))
    _not_future(errors, "date", date, "La date du changement")
    if parcours.date_sortie and date and date > parcours.date_sortie:
        _add(errors, "date", f"Le parcours est clos depuis le {format_date(parcours.date_sortie)}.")
    if current is not None and date and date <= current.date_debut:
        _add(
            errors,
            "date",
            f"Le changement doit suivre le début du suivi actuel (le {format_date(current.date_debut)}).",
        )
    _raise(errors)
    if current is not None:
        current.date_fin = date - datetime.timedelta(days=1)
        current.save(update_fields=["date_fin"])
    AffectationReferent.objects.create(
        parcours=parcours, referent=referent, date_debut=date, motif=motif, created_by=scope.user
    )
    parcours.referent = referent
    parcours._change_reason = motif or "Changement de référent"
    return _save(parcours, scope=scope)


# --- sorties ----------------------------------------------------------------------------------


def regle_label(type_sortie):
    """The validation rule of an exit type, in French (shown when choosing and validating)."""
    parts = []
    if type_sortie.criteres:
        parts.append(sorties.criteres_label(type_sortie.criteres))
    if type_sortie.commission_requise:
        parts.append("validation en commission")
    if not parts:
        return "Validée dès l'enregistrement."
    text = " ; ".join(parts)
    return text[0].upper() + text[1:] + "."


def date_validable_of(sortie):
    """From when ``sortie`` may be validated under its rule: the first day from its own date on
    which the rule is met by the contracts going on since (``None``: never with the contracts
    recorded); see :func:`parcours.sorties.date_validable`."""
    if not sortie.type.criteres:
        return sortie.date_sortie
    contrats = sorties.contrats_of(sortie.parcours)
    return sorties.date_validable(contrats, sortie.type.criteres, depuis=sortie.date_sortie)


def sortie_regle_errors(parcours, sortie, day):
    """Why ``sortie`` cannot be validated on ``day`` under its type's rule (``[]`` when it can):
    a job exit only once :func:`parcours.sorties.date_validable` is reached."""
    if not sortie.type.criteres:
        return []
    sortie.parcours = parcours
    validable = date_validable_of(sortie)
    if validable is None:
        return [
            "La règle de validation de cette sortie n'est pas remplie par les contrats en cours depuis "
            f"la sortie (le {format_date(sortie.date_sortie)})."
        ]
    if validable > day:
        return [
            f"La règle de validation n'est remplie qu'à partir du {format_date(validable)} : "
            f"sortie non validable le {format_date(day)}."
        ]
    return []


def _validate_sortie(parcours, sortie, *, scope, date_validation, reason=""):
    sortie.validee = True
    sortie.date_validation = date_validation
    sortie.validee_par = scope.user
    sortie._history_user = scope.user
    sortie.save()
    parcours.date_sortie = sortie.date_sortie
    parcours.sortie = sortie
    _transition(parcours, StatutParcours.SORTI, scope=scope, reason=reason or "Sortie validée")
    _save(parcours, scope=scope)


def _locked_sortie(sortie):
    return Sortie.objects.select_for_update().select_related("type").get(pk=sortie.pk)


def etapes_close_at_exit(parcours, date_sortie, *, scope, type_sortie):
    """What recording an exit dated ``date_sortie`` does to the parcours' étapes: those in
    progress on that date (begun, no actual end) end on it, those planned after it are
    cancelled (kept in the history). Under a rule that reads the jobs, the étapes carrying a
    contract are left as they are: the job goes on and is what validates the exit. Returns
    ``(closed, cancelled)``, the étapes changed."""
    from parcours.models import Etape

    etapes = Etape.objects.filter(parcours=parcours, annulee=False).select_related("type")
    if sorties.est_regle_emploi(type_sortie.criteres):
        etapes = etapes.filter(contrat__isnull=True)
    reason = f"Sortie du {format_date(date_sortie)}"
    closed, cancelled = [], []
    for etape in etapes.order_by("date_debut", "pk"):
        if etape.date_debut > date_sortie:
            etape.annulee = True
            etape.date_annulation = timezone.localdate()
            cancelled.append(etape)
        elif etape.date_fin is None:
            etape.date_fin = date_sortie
            closed.append(etape)
        else:
            continue
        etape._history_user = scope.user
        etape._change_reason = reason
        etape.save()
    return closed, cancelled


@transaction.atomic
def sortie_record(*, scope, parcours, version, type_sortie, date_sortie, commentaire=""):
    """Record the exit of a parcours with a type of the PLIE's exit referential.

    - a type with validation criteria (a job, a training, a business): the exit is **proposed**
      (``validee=False``) and the parcours goes into suivi dans l'emploi until the rule is met;
    - a type that needs the commission: proposed, awaiting a session;
    - otherwise the exit is validated at once and the parcours closes (``sorti``).

    The étapes in progress end on the exit's date and those planned after it are cancelled
    (:func:`etapes_close_at_exit`); the returned exit carries them as ``etapes_closes`` and
    ``etapes_annulees`` for the message."""
    _require(can_follow_parcours(scope, parcours.plie_id))
    parcours = _lock(parcours, version)
    check_writable(parcours, scope=scope)
    existing = Sortie.objects.filter(parcours=parcours).first()
    if existing is not None:
        raise ValidationError(
            f"Une sortie ({existing.type}) est déjà enregistrée le {format_date(existing.date_sortie)} : "
            "validez-la ou retirez-la d'abord."
        )
    if parcours.status not in (StatutParcours.EN_PARCOURS, StatutParcours.SUSPENDU):
        raise ValidationError(
            f"Pas de sortie pour un parcours au statut « {parcours.get_status_display()} »."
        )
    errors = {}
    if type_sortie is None:
        _add(errors, "type", "Choisissez le type de sortie.")
    elif not types_sortie_of(parcours.plie_id).filter(pk=type_sortie.pk).exists():
        _add(errors, "type", "Ce type de sortie ne fait pas partie du référentiel actif du PLIE.")
    _merge(errors, sortie_date_errors(parcours, date_sortie))
    _not_future(errors, "date_sortie", date_sortie, "La date de sortie")
    _raise(errors)
    closed, cancelled = etapes_close_at_exit(parcours, date_sortie, scope=scope, type_sortie=type_sortie)
    sortie = Sortie(
        parcours=parcours, type=type_sortie, date_sortie=date_sortie, commentaire=commentaire.strip()
    )
    sortie._history_user = scope.user
    sortie.save()
    sortie.etapes_closes, sortie.etapes_annulees = closed, cancelled
    if type_sortie.criteres:
        _transition(parcours, StatutParcours.EN_SUIVI_EMPLOI, scope=scope, day=date_sortie)
        _save(parcours, scope=scope)
    elif not type_sortie.commission_requise:
        _validate_sortie(parcours, sortie, scope=scope, date_validation=timezone.localdate())
    else:
        _save(parcours, scope=scope)  # the file changed: an exit awaits the commission
    return sortie


@transaction.atomic
def sortie_validate(*, scope, sortie, version, date_validation):
    """Validate a proposed exit outside the commission, once its rule is met on
    ``date_validation`` (``parcours.sorties.date_validable``). An exit that needs the
    commission is validated by a decision of a session (:func:`decision_record`)."""
    _require(can_follow_parcours(scope, sortie.parcours.plie_id))
    parcours = _lock(sortie.parcours, version)
    check_writable(parcours, scope=scope)
    sortie = _locked_sortie(sortie)
    if sortie.validee:
        raise ValidationError(f"Cette sortie est déjà validée (le {format_date(sortie.date_validation)}).")
    if sortie.type.commission_requise:
        raise ValidationError(
            "Cette sortie se valide en commission : inscrivez-la à l'ordre du jour d'une session."
        )
    errors = {}
    if date_validation is None:
        _add(errors, "date_validation", "La date de validation est obligatoire.")
    else:
        _not_future(errors, "date_validation", date_validation, "La date de validation")
        if date_validation < sortie.date_sortie:
            _add(
                errors,
                "date_validation",
                f"La validation ne peut pas précéder la sortie (le {format_date(sortie.date_sortie)}).",
            )
        for message in sortie_regle_errors(parcours, sortie, date_validation):
            _add(errors, "date_validation", message)
    _raise(errors)
    _validate_sortie(parcours, sortie, scope=scope, date_validation=date_validation)
    return sortie


@transaction.atomic
def sortie_withdraw(*, scope, sortie, version, motif):
    """Withdraw a proposed exit (the job was lost, the proposal was wrong): the parcours goes
    back ``en_parcours``; the history keeps the withdrawn exit and the reason."""
    _require(can_follow_parcours(scope, sortie.parcours.plie_id))
    parcours = _lock(sortie.parcours, version)
    sortie = _locked_sortie(sortie)
    if sortie.validee:
        raise ValidationError("Une sortie validée ne se retire pas.")
    check_writable(parcours, scope=scope)
    motif = (motif or "").strip()
    if not motif:
        raise ValidationError({"motif": ["Indiquez pourquoi la sortie est retirée (emploi perdu…)."]})
    Decision.objects.filter(
        parcours=parcours,
        objet=ObjetPassage.VALIDATION_SORTIE,
        decision="",
        commission__status=StatutCommission.PREVUE,
    ).delete()
    if parcours.status == StatutParcours.EN_SUIVI_EMPLOI:
        _transition(parcours, StatutParcours.EN_PARCOURS, scope=scope, reason=motif)
    parcours._change_reason = f"Sortie retirée : {motif}"
    sortie._history_user = scope.user
    sortie._change_reason = motif
    sortie.delete()
    _save(parcours, scope=scope)
    return parcours


@transaction.atomic
def sortie_cancel(*, scope, sortie, version, motif):
    """Cancel a validated exit recorded by mistake: only an administrateur of the PLIE, with the
    reason; the parcours reopens (``en_parcours``)."""
    _require(can_cancel_sortie(scope, sortie))
    parcours = _lock(sortie.parcours, version)
    sortie = _locked_sortie(sortie)
    motif = (motif or "").strip()
    check_writable(parcours, scope=scope, reason=motif)
    if not sortie.validee:
        raise ValidationError("Cette sortie n'est pas validée : retirez-la plutôt.")
    parcours.date_sortie = None
    sortie._history_user = scope.user
    sortie._change_reason = motif
    sortie.delete()
    _transition(parcours, StatutParcours.EN_PARCOURS, scope=scope, reason=motif)
    return _save(parcours, scope=scope)
