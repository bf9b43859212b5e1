"""The référent's day-to-day follow-up of a parcours: entretiens, étapes and their contracts.

Who may write: the **référent of the parcours**, and the **animation** and **administrateur** of
its PLIE (:func:`can_write_suivi`); everybody else who sees the parcours only reads it. A closed
(``sorti``) parcours stays read-only except for an administrateur who gives the reason
(:func:`parcours.transitions.check_writable`); a refused or reoriented candidature is closed.

Every service is keyword-only and atomic; it validates everything first and raises one
``ValidationError`` with French messages per field, so nothing is half-saved (an étape and its
contract are written together or not at all).

``Parcours.dernier_contact`` and ``Parcours.prochain_rdv`` are denormalised for « Ma file
active »: :func:`entretien_record` keeps them up to date through :func:`suivi_from_entretiens`,
a pure function whose docstring states the rule."""

import datetime
import hashlib
from decimal import Decimal

from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from parcours.enums import (
    CATEGORIES_EMPLOI,
    ModeEntretien,
    StatutParcours,
    SujetEntretien,
    TypeContrat,
)
from parcours.models import Contrat, Entretien, Etape, Parcours, TypeEtape
from parcours.permissions import can_write_suivi
from parcours.transitions import TransitionError, check_writable
from plie.core.dates import format_date
from plie.core.enums import StructureKind
from plie.core.models import Structure

DUREE_MAX_MINUTES = 600  # an entretien of more than 10 hours is a typing error
RDV_MAX_JOURS = 366  # a next appointment more than a year ahead is a typing error
HEURES_HEBDO_MAX = Decimal(48)  # the legal weekly maximum (Code du travail, L3121-20)

ETAPE_FIELDS = ("type", "operateur", "date_debut", "date_fin_prevue", "date_fin", "resultat")
CONTRAT_FIELDS = (
    "employeur",
    "siret",
    "type_contrat",
    "heures_hebdo",
    "date_debut",
    "date_fin_prevue",
    "date_fin",
)


def _require(allowed):
    if not allowed:
        raise PermissionDenied


# --- helpers ----------------------------------------------------------------------------------


def _add(errors, field, message):
    errors.setdefault(field, []).append(message)


def _raise(errors):
    if errors:
        raise ValidationError(errors)


def _check_open(parcours, *, scope, motif):
    """A closed candidature takes nothing; a closed parcours only an administrateur's change
    with its reason (given as ``motif``)."""
    if parcours.status == StatutParcours.NON_ADMIS:
        raise ValidationError("Cette candidature est close (refusée ou réorientée) : rien ne s'y ajoute.")
    try:
        check_writable(parcours, scope=scope, reason=motif)
    except TransitionError as error:
        if hasattr(error, "error_dict"):
            raise ValidationError({"motif": error.messages}) from error
        raise ValidationError(error.messages) from error
    return (motif or "").strip()


def _lock(parcours):
    return Parcours.objects.select_for_update(of=("self",)).get(pk=parcours.pk)


# --- entretiens -------------------------------------------------------------------------------


def suivi_from_entretiens(entretiens):
    """``(dernier_contact, prochain_rdv)`` of a parcours from its entretiens, given as
    ``(date, pk, prochain_rdv)`` tuples in any order (``prochain_rdv`` aware or ``None``).

    - **dernier contact**: the date of the latest entretien (``None`` without one);
    - **prochain rendez-vous**: the appointment planned by the latest entretien that planned
      one (latest by date, then by order of entry), unless an entretien has taken place since,
      on or after the appointment's day (it was honoured, or replaced). A planned appointment
      that has passed without an entretien stays: it is what the « rendez-vous passé » alert
      looks for.
    """
    entretiens = sorted(entretiens, key=lambda e: (e[0], e[1]))
    if not entretiens:
        return None, None
    dernier_contact = entretiens[-1][0]
    planned = [e for e in entretiens if e[2] is not None]
    if not planned:
        return dernier_contact, None
    rdv = planned[-1][2]
    if timezone.localtime(rdv).date() <= dernier_contact:
        return dernier_contact, None
    return dernier_contact, rdv


def parcours_suivi_refresh(parcours):
    """Recompute ``dernier_contact`` and ``prochain_rdv`` of ``parcours`` from its entretiens
    and store them (one read, one ``UPDATE``; neither the version nor the history moves: they
    are derived data)."""
    rows = Entretien.objects.filter(parcours_id=parcours.pk).values_list("date", "pk", "prochain_rdv")
    parcours.dernier_contact, parcours.prochain_rdv = suivi_from_entretiens(rows)
    Parcours.objects.filter(pk=parcours.pk).update(
        dernier_contact=parcours.dernier_contact, prochain_rdv=parcours.prochain_rdv
    )
    return parcours


def debut_du_parcours(parcours):
    """The earliest date an entretien may bear: the orientation, else the entry."""
    return parcours.date_orientation or parcours.date_entree


def entretien_errors(parcours, *, date, mode, duree_minutes, sujets, prochain_rdv, today):
    """What is wrong with an entretien, as ``{field: [messages]}`` (empty when nothing is)."""
    errors = {}
    if date is None:
        _add(errors, "date", "La date de l'entretien est obligatoire.")
    else:
        if date > today:
            _add(errors, "date", "La date de l'entretien ne peut pas être dans le futur.")
        debut = debut_du_parcours(parcours)
        if debut and date < debut:
            quoi = "l'orientation" if parcours.date_orientation else "l'entrée dans le PLIE"
            _add(errors, "date", f"L'entretien ne peut pas précéder {quoi} (le {format_date(debut)}).")
    if mode not in ModeEntretien.values:
        _add(errors, "mode", "Choisissez le mode de l'entretien dans la liste.")
    if duree_minutes is not None and not 0 < duree_minutes <= DUREE_MAX_MINUTES:
        _add(errors, "duree_minutes", f"La durée doit être comprise entre 1 et {DUREE_MAX_MINUTES} minutes.")
    unknown = [sujet for sujet in sujets if sujet not in SujetEntretien.values]
    if unknown:
        _add(errors, "sujets", "Choisissez les sujets dans la liste.")
    if prochain_rdv is not None and date is not None:
        if timezone.is_naive(prochain_rdv):
            _add(errors, "prochain_rdv", "L'heure du prochain rendez-vous est incomplète.")
        else:
            jour = timezone.localtime(prochain_rdv).date()
            if jour <= date:
                _add(
                    errors,
                    "prochain_rdv",
                    f"Le prochain rendez-vous doit suivre l'entretien (du {format_date(date)}).",
                )
            elif (jour - date).days > RDV_MAX_JOURS:
                _add(errors, "prochain_rdv", "Le prochain rendez-vous est à plus d'un an : vérifiez la date.")
    return errors


@transaction.atomic
def entretien_record(
    *,
    scope,
    parcours,
    date,
    mode=ModeEntretien.INDIVIDUEL,
    duree_minutes=None,
    sujets=(),
    notes="",
    prochain_rdv=None,
    motif="",
):
    """Log an entretien of ``parcours`` conducted by ``scope``; keep the parcours'
    ``dernier_contact`` and ``prochain_rdv`` up to date. ``motif``: the reason of a change to
    a closed parcours (administrateur only)."""
    _require(can_write_suivi(scope, parcours))
    parcours = _lock(parcours)
    motif = _check_open(parcours, scope=scope, motif=motif)
    sujets = list(dict.fromkeys(sujets or ()))
    _raise(
        entretien_errors(
            parcours,
            date=date,
            mode=mode,
            duree_minutes=duree_minutes,
            sujets=sujets,
            prochain_rdv=prochain_rdv,
            today=timezone.localdate(),
        )
    )
    entretien = Entretien(
        parcours=parcours,
        date=date,
        mode=mode,
        duree_minutes=duree_minutes,
        sujets=[s for s in SujetEntretien.values if s in sujets],
        notes=(notes or "").strip(),
        prochain_rdv=prochain_rdv,
        referent=scope.user,
    )
    entretien._history_user = scope.user
    if motif:
        entretien._change_reason = motif
    entretien.save()
    parcours_suivi_refresh(parcours)
    return entretien


# --- étapes and contracts ---------------------------------------------------------------------


def types_etape_for(plie_id, *, include=None):
    """The step types a PLIE may use: the global ones and its own, active (plus ``include``,
    the current type of an étape being changed)."""
    condition = Q(plie__isnull=True) | Q(plie_id=plie_id)
    active = Q(is_active=True)
    if include is not None:
        active |= Q(pk=include.pk)
    return TypeEtape.objects.filter(condition & active).order_by("categorie", "libelle")


def operateurs_for(plie_id, *, include=None):
    """Who may carry a step: the PLIE's partner structures (opérateurs, prescripteurs), plus
    ``include`` (the current opérateur of an étape being changed)."""
    condition = Q(plies=plie_id, kind__in=[StructureKind.OPERATEUR, StructureKind.PRESCRIPTEUR])
    if include is not None:
        condition |= Q(pk=include.pk)
    return Structure.objects.filter(condition).distinct().order_by("nom")


def is_emploi(type_etape):
    return type_etape is not None and type_etape.categorie in CATEGORIES_EMPLOI


def _inside_parcours(errors, parcours, field, day, label):
    if day is None:
        return
    if parcours.date_entree and day < parcours.date_entree:
        _add(
            errors,
            field,
            f"{label} ne peut pas précéder l'entrée dans le PLIE (le {format_date(parcours.date_entree)}).",
        )
    if parcours.date_sortie and day > parcours.date_sortie:
        _add(
            errors,
            field,
            f"{label} ne peut pas suivre la sortie du PLIE (le {format_date(parcours.date_sortie)}).",
        )


def etape_errors(parcours, *, type, date_debut, date_fin_prevue, date_fin, today):
    """Dates inside the parcours (not before the entry, not after the exit), ends after the
    start, an actual end not in the future. ``{field: [messages]}``."""
    errors = {}
    if parcours.date_entree is None:
        _add(
            errors,
            NON_FIELD_ERRORS,
            "Le parcours n'a pas encore commencé : les étapes s'ajoutent après l'entrée dans le PLIE.",
        )
        return errors
    if type is None:
        _add(errors, "type", "Choisissez le type d'étape.")
    if date_debut is None:
        _add(errors, "date_debut", "La date de début de l'étape est obligatoire.")
    _inside_parcours(errors, parcours, "date_debut", date_debut, "Le début de l'étape")
    _inside_parcours(errors, parcours, "date_fin_prevue", date_fin_prevue, "La fin prévue")
    _inside_parcours(errors, parcours, "date_fin", date_fin, "La fin effective")
    if date_debut and date_fin_prevue and date_fin_prevue < date_debut:
        _add(
            errors,
            "date_fin_prevue",
            f"La fin prévue doit suivre le début de l'étape (le {format_date(date_debut)}).",
        )
    if date_debut and date_fin and date_fin < date_debut:
        _add(
            errors,
            "date_fin",
            f"La fin effective doit suivre le début de l'étape (le {format_date(date_debut)}).",
        )
    if date_fin and date_fin > today:
        _add(
            errors,
            "date_fin",
            "La fin effective ne peut pas être dans le futur : indiquez plutôt la fin prévue.",
        )
    return errors


def contrat_errors(parcours, contrat, *, etape_debut, today):
    """The contract of a job étape: employer, type, weekly hours (needed by the exit rules,
    except for a business creation), dates inside the parcours and after the étape's start.
    Errors are keyed ``contrat_<field>`` (the contract's sub-form)."""
    errors = {}

    def add(field, message):
        _add(errors, f"contrat_{field}", message)

    if not (contrat.get("employeur") or "").strip():
        add("employeur", "L'employeur est obligatoire pour une étape d'emploi.")
    type_contrat = contrat.get("type_contrat")
    if type_contrat not in TypeContrat.values:
        add("type_contrat", "Choisissez le type de contrat.")
    siret = (contrat.get("siret") or "").replace(" ", "")
    if siret and (len(siret) != 14 or not siret.isdigit()):
        add("siret", "Le SIRET compte 14 chiffres.")
    heures = contrat.get("heures_hebdo")
    if heures is None:
        if type_contrat != TypeContrat.CREATION:
            add("heures_hebdo", "Indiquez les heures par semaine : elles comptent pour valider la sortie.")
    elif not Decimal(0) < Decimal(heures) <= HEURES_HEBDO_MAX:
        add("heures_hebdo", f"Les heures par semaine doivent être comprises entre 0 et {HEURES_HEBDO_MAX}.")
    debut = contrat.get("date_debut") or etape_debut
    fin_prevue, fin = contrat.get("date_fin_prevue"), contrat.get("date_fin")
    inner = {}
    _inside_parcours(inner, parcours, "date_debut", debut, "Le début du contrat")
    _inside_parcours(inner, parcours, "date_fin_prevue", fin_prevue, "La fin prévue du contrat")
    _inside_parcours(inner, parcours, "date_fin", fin, "La fin effective du contrat")
    for field, messages in inner.items():
        for message in messages:
            add(field, message)
    if debut and etape_debut and debut < etape_debut:
        add("date_debut", f"Le contrat ne peut pas commencer avant l'étape (le {format_date(etape_debut)}).")
    if type_contrat == TypeContrat.CDI and fin_prevue:
        add("date_fin_prevue", "Un CDI n'a pas de fin prévue.")
    if debut and fin_prevue and fin_prevue < debut:
        add("date_fin_prevue", f"La fin prévue doit suivre le début du contrat (le {format_date(debut)}).")
    if debut and fin and fin < debut:
        add("date_fin", f"La fin effective doit suivre le début du contrat (le {format_date(debut)}).")
    if fin and fin > today:
        add("date_fin", "La fin effective du contrat ne peut pas être dans le futur.")
    return errors


def contrat_overlap_errors(parcours, contrat, *, etape_debut, current=None):
    """A contract must not overlap another contract of the same employer on the parcours (an
    overlap with one employer is a renewal or an avenant recorded twice, which would count its
    days twice): ``{"contrat_date_debut": [message]}`` naming the other contract, else ``{}``.
    Employers are compared as the exit rules compare them (case, accents, spaces); the
    contracts of cancelled étapes and of ``current`` (the étape being changed) are left out.
    A contract's end is its actual end, else its planned end, else open-ended."""
    from parcours.sorties import normalise_employeur

    employeur = normalise_employeur(contrat.get("employeur"))
    debut = contrat.get("date_debut") or etape_debut
    if not employeur or debut is None:
        return {}
    fin = contrat.get("date_fin") or contrat.get("date_fin_prevue")
    others = Contrat.objects.filter(etape__parcours=parcours, etape__annulee=False)
    if current is not None:
        others = others.exclude(etape=current)
    for other in others.order_by("date_debut", "pk"):
        if normalise_employeur(other.employeur) != employeur:
            continue
        other_fin = other.date_fin or other.date_fin_prevue
        if (other_fin is None or debut <= other_fin) and (fin is None or other.date_debut <= fin):
            jusqu = f"au {format_date(other_fin)}" if other_fin else "sans fin prévue"
            return {
                "contrat_date_debut": [
                    f"Ce contrat chevauche le contrat chez {other.employeur} "
                    f"du {format_date(other.date_debut)} "
                    f"({jusqu}) : un renouvellement commence le lendemain de la fin du contrat "
                    "précédent ; modifiez plutôt ce contrat-là."
                ]
            }
    return {}


def _contrat_filled(contrat):
    return bool(contrat) and any(value not in (None, "") for value in contrat.values())


def _etape_and_contrat_errors(parcours, values, contrat, *, current=None, has_contrat=False):
    """The étape's errors and, for a job, its contract's; ``current``: the étape being changed
    (its type and opérateur stay allowed even if no longer offered)."""
    today = timezone.localdate()
    errors = etape_errors(
        parcours,
        type=values.get("type"),
        date_debut=values.get("date_debut"),
        date_fin_prevue=values.get("date_fin_prevue"),
        date_fin=values.get("date_fin"),
        today=today,
    )
    type_etape = values.get("type")
    if type_etape is not None:
        allowed = types_etape_for(parcours.plie_id, include=current.type if current else None)
        if not allowed.filter(pk=type_etape.pk).exists():
            _add(errors, "type", "Ce type d'étape ne fait pas partie du référentiel du PLIE.")
    operateur = values.get("operateur")
    if operateur is not None:
        allowed = operateurs_for(parcours.plie_id, include=current.operateur if current else None)
        if not allowed.filter(pk=operateur.pk).exists():
            _add(errors, "operateur", "Cette structure n'est pas un partenaire du PLIE.")
    if NON_FIELD_ERRORS in errors:
        return errors
    if is_emploi(type_etape):
        if not _contrat_filled(contrat):
            _add(
                errors,
                "contrat_employeur",
                "Une étape d'emploi se saisit avec son contrat : l'employeur manque.",
            )
            if not (contrat or {}).get("type_contrat"):
                _add(errors, "contrat_type_contrat", "Choisissez le type de contrat.")
        else:
            contrat_problems = contrat_errors(
                parcours, contrat, etape_debut=values.get("date_debut"), today=today
            )
            if not contrat_problems:
                contrat_problems = contrat_overlap_errors(
                    parcours, contrat, etape_debut=values.get("date_debut"), current=current
                )
            for field, messages in contrat_problems.items():
                errors.setdefault(field, []).extend(messages)
    elif type_etape is not None:
        if has_contrat:
            _add(
                errors,
                "type",
                "Cette étape a un contrat : elle reste une étape d'emploi (choisissez un type d'emploi).",
            )
        elif _contrat_filled(contrat):
            _add(
                errors,
                NON_FIELD_ERRORS,
                f"« {type_etape} » n'est pas une étape d'emploi : laissez le contrat vide.",
            )
    return errors


def _clean_contrat(contrat, etape_debut):
    data = {field: contrat.get(field) for field in CONTRAT_FIELDS}
    data["employeur"] = (data["employeur"] or "").strip()
    data["siret"] = (data["siret"] or "").replace(" ", "")
    data["date_debut"] = data["date_debut"] or etape_debut
    return data


@transaction.atomic
def contrat_save(*, scope, etape, **data):
    """Create or update the contract of ``etape`` (already checked by the étape's service)."""
    contrat = Contrat.objects.filter(etape=etape).first() or Contrat(etape=etape)
    for field in CONTRAT_FIELDS:
        setattr(contrat, field, data.get(field, getattr(contrat, field)))
    contrat._history_user = scope.user
    contrat.save()
    return contrat


def _check_fields(values):
    unknown = set(values) - set(ETAPE_FIELDS)
    if unknown:
        raise TypeError(f"Champs inconnus : {', '.join(sorted(unknown))}")


@transaction.atomic
def etape_add(*, scope, parcours, contrat=None, motif="", **values):
    """Add an étape (``type``, ``operateur``, ``date_debut``, ``date_fin_prevue``, ``date_fin``,
    ``resultat``) to ``parcours``; a job étape (``parcours.enums.CATEGORIES_EMPLOI``) with its
    ``contrat`` (a dict of :data:`CONTRAT_FIELDS`), saved together."""
    _check_fields(values)
    _require(can_write_suivi(scope, parcours))
    parcours = _lock(parcours)
    motif = _check_open(parcours, scope=scope, motif=motif)
    _raise(_etape_and_contrat_errors(parcours, values, contrat))
    etape = Etape(parcours=parcours, **{field: values.get(field) for field in ETAPE_FIELDS})
    etape.resultat = (etape.resultat or "").strip()
    etape._history_user = scope.user
    if motif:
        etape._change_reason = motif
    etape.save()
    if is_emploi(etape.type):
        contrat_save(scope=scope, etape=etape, **_clean_contrat(contrat, etape.date_debut))
    return etape


def etape_fingerprint(etape):
    """A short digest of the étape and its contract as stored: the form carries the one it was
    built from, :func:`etape_update` refuses when it no longer matches (someone saved first)."""
    contrat = Contrat.objects.filter(etape_id=etape.pk).first()
    parts = [str(getattr(etape, f"{f}_id" if f in ("type", "operateur") else f)) for f in ETAPE_FIELDS]
    if contrat is not None:
        parts += [str(getattr(contrat, field)) for field in CONTRAT_FIELDS]
    return hashlib.sha256("|".join(parts).encode()).hexdigest()[:16]


@transaction.atomic
def etape_update(*, scope, etape, fingerprint=None, contrat=None, motif="", **values):
    """Change an étape and its contract together. ``fingerprint``: the
    :func:`etape_fingerprint` the scope's form was built from (``None`` skips the check)."""
    _check_fields(values)
    _require(can_write_suivi(scope, etape.parcours))
    parcours = _lock(etape.parcours)
    motif = _check_open(parcours, scope=scope, motif=motif)
    etape = Etape.objects.select_for_update(of=("self",)).select_related("type", "operateur").get(pk=etape.pk)
    if fingerprint is not None and fingerprint != etape_fingerprint(etape):
        raise ValidationError(
            "Cette étape a été modifiée par quelqu'un d'autre entre-temps : rechargez la page "
            "pour voir ses nouvelles valeurs."
        )
    if etape.annulee:
        raise ValidationError(
            f"Cette étape a été annulée le {format_date(etape.date_annulation)} : elle ne change plus."
        )
    has_contrat = Contrat.objects.filter(etape=etape).exists()
    merged = {field: values.get(field, getattr(etape, field)) for field in ETAPE_FIELDS}
    _raise(_etape_and_contrat_errors(parcours, merged, contrat, current=etape, has_contrat=has_contrat))
    for field in ETAPE_FIELDS:
        setattr(etape, field, merged[field])
    etape.resultat = (etape.resultat or "").strip()
    etape._history_user = scope.user
    if motif:
        etape._change_reason = motif
    etape.save()
    if is_emploi(etape.type):
        contrat_save(scope=scope, etape=etape, **_clean_contrat(contrat, etape.date_debut))
    return etape


@transaction.atomic
def etape_cancel(*, scope, etape):
    """Cancel a planned étape (it starts after today): it stays in the parcours' history,
    marked « annulée » with today's date, and no longer counts (exit rules, the exit's dates,
    the current étape). An étape already begun is ended instead (its actual end), never
    cancelled."""
    _require(can_write_suivi(scope, etape.parcours))
    parcours = _lock(etape.parcours)
    _check_open(parcours, scope=scope, motif="")
    etape = Etape.objects.select_for_update(of=("self",)).select_related("type").get(pk=etape.pk)
    today = timezone.localdate()
    if etape.annulee:
        raise ValidationError(f"Cette étape est déjà annulée (le {format_date(etape.date_annulation)}).")
    if etape.date_debut <= today:
        raise ValidationError(
            f"Cette étape a commencé le {format_date(etape.date_debut)} : elle ne s'annule pas, "
            "indiquez plutôt sa fin effective."
        )
    etape.annulee = True
    etape.date_annulation = today
    etape._history_user = scope.user
    etape._change_reason = "Étape prévue annulée"
    etape.save()
    return etape


def rdv_datetime(day, heure):
    """The aware datetime (Europe/Paris, the current time zone) of an appointment typed as a
    date and a time."""
    if day is None or heure is None:
        return None
    return timezone.make_aware(datetime.datetime.combine(day, heure))
