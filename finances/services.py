"""Writes of the finances app: keyword-only, atomic, a French ``ValidationError`` per field (or
per day and line for a time sheet), nothing half-saved; the author is ``scope.user``."""

import datetime
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from finances import permissions, selectors, temps
from finances.enums import ModeAffectation, StatutFiche
from finances.models import Affectation, FicheTemps, LigneTemps, Personnel

JUSTIFICATIF_TYPES = {"application/pdf", "image/jpeg", "image/png"}
JUSTIFICATIF_MAX = 10 * 1024 * 1024


@transaction.atomic
def personnel_save(*, scope, plie, user, heures_jour, responsable=None, fonction="", personnel=None):
    """Create or change a staff record of ``plie`` (gestionnaire, administrateur)."""
    if not permissions.can_manage_finances(scope, plie.pk):
        raise PermissionDenied
    errors = {}
    if heures_jour is None or not Decimal("0") < heures_jour <= temps.MAX_HEURES_JOUR:
        errors["heures_jour"] = "Heures par jour : entre 0 et 10 h."
    if responsable is not None and responsable.pk == user.pk:
        errors["responsable"] = "Responsable : une personne ne valide pas ses propres fiches."
    if personnel is None and Personnel.objects.filter(plie=plie, user=user).exists():
        errors["user"] = "Personne : elle figure déjà dans le personnel de ce PLIE."
    if errors:
        raise ValidationError(errors)
    personnel = personnel or Personnel(plie=plie, user=user)
    personnel.heures_jour, personnel.responsable, personnel.fonction = heures_jour, responsable, fonction
    personnel.save()
    return personnel


@transaction.atomic
def affectation_save(
    *, scope, personnel, operation, mode, date_debut, date_fin, pourcentage=None, justificatif=None
):
    """Assign ``personnel`` to ``operation`` over ``date_debut``–``date_fin``; the proof is
    stored through the storage API (PDF, JPEG or PNG, 10 Mo at most)."""
    if not permissions.can_manage_finances(scope, personnel.plie_id):
        raise PermissionDenied
    errors = {}
    if operation.plie_id != personnel.plie_id:
        errors["operation"] = "Opération : elle n'appartient pas au PLIE de la personne."
    if date_debut and date_fin and date_fin < date_debut:
        errors["date_fin"] = "Au : la fin de l'affectation précède son début."
    elif date_debut and date_fin and (date_debut < operation.date_debut or date_fin > operation.date_fin):
        errors["date_debut"] = (
            f"Du / au : l'affectation doit rester dans la période de l'opération "
            f"(du {operation.date_debut:%d/%m/%Y} au {operation.date_fin:%d/%m/%Y})."
        )
    if mode == ModeAffectation.POURCENTAGE:
        if pourcentage is None or not Decimal("0") < pourcentage <= Decimal("100"):
            errors["pourcentage"] = (
                "Pourcentage mensuel : entre 0 et 100 pour une affectation à pourcentage fixe."
            )
    elif pourcentage is not None:
        errors["pourcentage"] = "Pourcentage mensuel : seulement pour une affectation à pourcentage fixe."
    if justificatif is not None:
        if getattr(justificatif, "content_type", "") not in JUSTIFICATIF_TYPES:
            errors["justificatif"] = "Justificatif : un PDF, un JPEG ou un PNG."
        elif justificatif.size > JUSTIFICATIF_MAX:
            errors["justificatif"] = "Justificatif : 10 Mo au plus."
    if errors:
        raise ValidationError(errors)
    affectation = Affectation(
        personnel=personnel,
        operation=operation,
        mode=mode,
        pourcentage=pourcentage,
        date_debut=date_debut,
        date_fin=date_fin,
        created_by=scope.user,
    )
    if justificatif is not None:
        affectation.justificatif_nom = justificatif.name[:255]
        affectation.justificatif.save(justificatif.name, justificatif, save=False)
    affectation.save()
    return affectation


@transaction.atomic
def fiche_save(*, scope, personnel, semaine, saisies):
    """Record the hours of ``personnel``'s week (Monday ``semaine``): ``saisies`` is every
    :class:`finances.temps.Saisie` of the grid (zero = nothing). The whole week is checked by
    :func:`finances.temps.erreurs_semaine`; one fault and nothing is saved. A signed sheet is
    never changed (:func:`fiche_correct` opens a new version)."""
    if semaine.weekday() != 0:
        raise ValidationError({"semaine": "Semaine : elle commence un lundi."})
    personnel = Personnel.objects.select_for_update().get(pk=personnel.pk)
    fiche = selectors.fiche_courante(personnel, semaine) or FicheTemps(personnel=personnel, semaine=semaine)
    fiche.personnel = personnel
    if fiche.pk is not None and not fiche.modifiable:
        raise ValidationError(
            f"La fiche de la semaine du {semaine:%d/%m/%Y} est signée : elle ne peut plus changer. "
            "Ouvrez une correction (nouvelle version)."
        )
    if not permissions.can_fill_fiche(scope, fiche):
        raise PermissionDenied
    jours = set(temps.jours_semaine(semaine))
    outside = [s for s in saisies if s.jour not in jours]
    if outside:
        raise ValidationError(
            f"{temps.libelle_jour(outside[0].jour)} : hors de la semaine du {semaine:%d/%m/%Y}."
        )
    operations = selectors.lignes_operations(personnel, semaine)
    erreurs = temps.erreurs_semaine(saisies, operations=operations, heures_contrat_jour=personnel.heures_jour)
    if erreurs:
        raise ValidationError(erreurs)
    fiche.save()
    fiche.lignes.all().delete()
    LigneTemps.objects.bulk_create(
        LigneTemps(fiche=fiche, jour=s.jour, operation_id=s.operation_id, heures=s.heures)
        for s in saisies
        if s.heures > 0
    )
    return fiche


def _locked(fiche):
    return FicheTemps.objects.select_for_update().select_related("personnel").get(pk=fiche.pk)


@transaction.atomic
def fiche_sign(*, scope, fiche):
    """The person signs their sheet (dated); it no longer changes."""
    fiche = _locked(fiche)
    if not permissions.can_sign_fiche(scope, fiche):
        raise PermissionDenied
    if not fiche.lignes.exists():
        raise ValidationError("La fiche est vide : saisissez au moins une heure avant de la signer.")
    fiche.statut, fiche.signee_le, fiche.signee_par = StatutFiche.SIGNEE, timezone.now(), scope.user
    fiche.save(update_fields=["statut", "signee_le", "signee_par", "updated_at"])
    return fiche


@transaction.atomic
def fiche_validate(*, scope, fiche):
    """The responsable countersigns a signed sheet (dated, by whom)."""
    fiche = _locked(fiche)
    if not permissions.can_validate_fiche(scope, fiche):
        raise PermissionDenied
    fiche.statut, fiche.validee_le, fiche.validee_par = StatutFiche.VALIDEE, timezone.now(), scope.user
    fiche.save(update_fields=["statut", "validee_le", "validee_par", "updated_at"])
    return fiche


@transaction.atomic
def fiche_correct(*, scope, fiche):
    """Open a correction of a signed sheet: the sheet is kept as it was, « remplacée », and a new
    version with the same lines is opened, to be signed again."""
    fiche = _locked(fiche)
    if not permissions.can_correct_fiche(scope, fiche):
        raise PermissionDenied
    lignes = list(fiche.lignes.all())
    fiche.statut = StatutFiche.REMPLACEE
    fiche.save(update_fields=["statut", "updated_at"])
    nouvelle = FicheTemps.objects.create(
        personnel=fiche.personnel, semaine=fiche.semaine, version=fiche.version + 1
    )
    LigneTemps.objects.bulk_create(
        LigneTemps(fiche=nouvelle, jour=ligne.jour, operation_id=ligne.operation_id, heures=ligne.heures)
        for ligne in lignes
    )
    return nouvelle


def saisies_from_post(data, grille_operations, semaine):
    """The :class:`~finances.temps.Saisie` of a posted grid, and the French errors of the cells
    that are not numbers."""
    saisies, erreurs = [], []
    for operation_id in [*grille_operations, None]:
        for day in temps.jours_semaine(semaine):
            raw = data.get(selectors.cell_name(operation_id, day), "")
            value = temps.parse_heures(raw)
            nom = temps.HORS_OPERATION if operation_id is None else grille_operations[operation_id].code
            if value is None:
                erreurs.append(
                    f"{temps.libelle_jour(day)}, ligne « {nom} » : « {raw} » n'est pas un nombre d'heures."
                )
            else:
                saisies.append(temps.Saisie(day, operation_id, value))
    return saisies, erreurs


def semaine_de(text):
    """The Monday given as ``AAAA-MM-JJ`` in a URL, or ``None``."""
    try:
        day = datetime.date.fromisoformat(text)
    except ValueError:
        return None
    return day if day.weekday() == 0 else None
