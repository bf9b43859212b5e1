"""Writes of the finances app: keyword-only, atomic, a French ``ValidationError`` per field (or
per day and line for a time sheet), nothing half-saved; the author is ``scope.user``."""

import csv
import datetime
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from finances import permissions, selectors, temps
from finances.enums import ModeAffectation, ModeIndirects, Nature, StatutFiche
from finances.models import (
    Affectation,
    Depense,
    FicheTemps,
    LigneTemps,
    ParametresFinanciers,
    Personnel,
    Ressource,
    Salaire,
)

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
    """The :class:`~finances.temps.Saisie` of a posted grid (``grille_operations``: ``{operation_id:
    code}`` of its rows), and the French errors of the cells that are not numbers."""
    saisies, erreurs = [], []
    for operation_id in [*grille_operations, None]:
        for day in temps.jours_semaine(semaine):
            raw = data.get(selectors.cell_name(operation_id, day), "")
            value = temps.parse_heures(raw)
            nom = temps.HORS_OPERATION if operation_id is None else grille_operations[operation_id]
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


# --- salaries ---------------------------------------------------------------------------------

SALAIRE_COLONNES = ("email", "mois", "brut", "charges", "heures_travaillees")


def _montant(text):
    """A French amount (« 2 345,67 », « 2345.67 ») as a ``Decimal``, or ``None``."""
    cleaned = (text or "").strip().replace("\u00a0", "").replace(" ", "").replace("€", "").replace(",", ".")
    if not cleaned:
        return None
    try:
        value = Decimal(cleaned)
    except ArithmeticError:
        return None
    return value if value.is_finite() else None


def _mois(text):
    """« 03/2026 » or « 2026-03 » as the 1st of the month, or ``None``."""
    text = (text or "").strip()
    for fmt in ("%m/%Y", "%Y-%m", "%d/%m/%Y"):
        try:
            return datetime.datetime.strptime(text, fmt).date().replace(day=1)
        except ValueError:
            continue
    return None


def _salaire_erreurs(brut, charges, heures, prefix=""):
    errors = {}
    for name, label, value in (
        ("brut", "salaire brut", brut),
        ("charges", "charges patronales", charges),
        ("heures_travaillees", "heures travaillées", heures),
    ):
        if value is None or value < 0 or value != value.quantize(Decimal("0.01")) or value >= Decimal("1e8"):
            errors[name] = f"{prefix}{label} : un montant positif avec deux décimales au plus est attendu."
    if heures is not None and heures > Decimal("300"):
        errors["heures_travaillees"] = f"{prefix}heures travaillées : 300 h au plus dans un mois."
    return errors


@transaction.atomic
def salaire_save(*, scope, personnel, mois, brut, charges, heures_travaillees):
    """Record (or replace) the pay of ``personnel`` for ``mois`` (gestionnaire, administrateur)."""
    if not permissions.can_manage_finances(scope, personnel.plie_id):
        raise PermissionDenied
    errors = _salaire_erreurs(brut, charges, heures_travaillees)
    if errors:
        raise ValidationError(errors)
    salaire, _ = Salaire.objects.update_or_create(
        personnel=personnel,
        mois=mois.replace(day=1),
        defaults={
            "brut": brut,
            "charges": charges,
            "heures_travaillees": heures_travaillees,
            "updated_by": scope.user,
        },
    )
    return salaire


@transaction.atomic
def salaires_import(*, scope, plie_id, texte):
    """Import the salaries of the PLIE ``plie_id`` from a CSV (``;`` or ``,`` separated, a
    header ``email;mois;brut;charges;heures_travaillees``). Every row is checked first: an
    unknown person or a malformed amount refuses the whole file, each fault naming the line and
    the field; nothing is saved. Returns the number of salaries recorded."""
    if not permissions.can_manage_finances(scope, plie_id):
        raise PermissionDenied
    lines = texte.lstrip("\ufeff").splitlines()
    if not lines:
        raise ValidationError("Le fichier est vide.")
    dialect = ";" if lines[0].count(";") >= lines[0].count(",") else ","
    reader = csv.DictReader(lines, delimiter=dialect)
    header = [(name or "").strip().lower() for name in reader.fieldnames or []]
    missing = [c for c in SALAIRE_COLONNES if c not in header]
    if missing:
        raise ValidationError(f"Ligne 1 : colonne(s) manquante(s) : {', '.join(missing)}.")
    reader.fieldnames = header
    personnels = {
        p.user.email.lower(): p for p in Personnel.objects.filter(plie_id=plie_id).select_related("user")
    }
    erreurs, rows = [], []
    for number, row in enumerate(reader, start=2):
        prefix = f"Ligne {number}, champ « "
        email = (row.get("email") or "").strip().lower()
        personnel = personnels.get(email)
        if personnel is None:
            erreurs.append(f"{prefix}email » : « {email} » n'est pas au personnel de ce PLIE.")
        mois = _mois(row.get("mois"))
        if mois is None:
            erreurs.append(f"{prefix}mois » : « {row.get('mois') or ''} » n'est pas un mois (MM/AAAA).")
        values = {name: _montant(row.get(name)) for name in ("brut", "charges", "heures_travaillees")}
        for name, message in _salaire_erreurs(
            values["brut"], values["charges"], values["heures_travaillees"]
        ).items():
            erreurs.append(
                f"{prefix}{name} » : « {row.get(name) or ''} » refusé ({message.split(' : ', 1)[1]})"
            )
        rows.append((personnel, mois, values))
    if erreurs:
        raise ValidationError(erreurs)
    for personnel, mois, values in rows:
        Salaire.objects.update_or_create(
            personnel=personnel, mois=mois, defaults={**values, "updated_by": scope.user}
        )
    return len(rows)


# --- plan de financement ----------------------------------------------------------------------


def _check_piece(piece):
    if piece is None:
        return None
    if getattr(piece, "content_type", "") not in JUSTIFICATIF_TYPES:
        return "Pièce justificative : un PDF, un JPEG ou un PNG."
    if piece.size > JUSTIFICATIF_MAX:
        return "Pièce justificative : 10 Mo au plus."
    return None


def _check_equilibre(operation):
    """Resources never exceed expenses, forecast and realised (over the whole operation)."""
    from finances import couts, plan

    p = plan.plan(operation)
    for nature, label in ((Nature.PREVU, "prévues"), (Nature.REALISE, "réalisées")):
        message = couts.erreur_ressources(
            depenses=p.total_depenses(nature), ressources=p.total_ressources(nature), nature=label
        )
        if message:
            raise ValidationError({"montant": message})


@transaction.atomic
def depense_add(*, scope, operation, categorie, nature, libelle, montant, date=None, piece=None):
    """Add an expense line to ``operation``'s plan (gestionnaire, administrateur)."""
    if not permissions.can_manage_finances(scope, operation.plie_id):
        raise PermissionDenied
    errors = {}
    if montant is None or montant <= 0:
        errors["montant"] = "Montant : un montant positif est attendu."
    if nature == Nature.REALISE and date is None:
        errors["date"] = "Date : une dépense réalisée est datée."
    if message := _check_piece(piece):
        errors["piece"] = message
    if errors:
        raise ValidationError(errors)
    depense = Depense(
        operation=operation,
        categorie=categorie,
        nature=nature,
        libelle=libelle,
        montant=montant,
        date=date,
        created_by=scope.user,
    )
    if piece is not None:
        depense.piece_nom = piece.name[:255]
        depense.piece.save(piece.name, piece, save=False)
    depense.save()
    return depense


@transaction.atomic
def ressource_add(*, scope, operation, financeur, nature, montant, libelle="", piece=None):
    """Add a resource line; refused when the resources would exceed the expenses."""
    if not permissions.can_manage_finances(scope, operation.plie_id):
        raise PermissionDenied
    errors = {}
    if montant is None or montant <= 0:
        errors["montant"] = "Montant : un montant positif est attendu."
    if message := _check_piece(piece):
        errors["piece"] = message
    if errors:
        raise ValidationError(errors)
    ressource = Ressource(
        operation=operation,
        financeur=financeur,
        nature=nature,
        libelle=libelle,
        montant=montant,
        created_by=scope.user,
    )
    if piece is not None:
        ressource.piece_nom = piece.name[:255]
        ressource.piece.save(piece.name, piece, save=False)
    ressource.save()
    _check_equilibre(operation)  # raises: the atomic block rolls the line back
    return ressource


@transaction.atomic
def parametres_save(*, scope, operation, mode_indirects, taux_forfaitaire, cle_repartition=""):
    if not permissions.can_manage_finances(scope, operation.plie_id):
        raise PermissionDenied
    if taux_forfaitaire is None or not Decimal("0") <= taux_forfaitaire <= Decimal("100"):
        raise ValidationError({"taux_forfaitaire": "Taux forfaitaire : entre 0 et 100 %."})
    if mode_indirects == ModeIndirects.CLE and not cle_repartition.strip():
        raise ValidationError(
            {"cle_repartition": "Clé de répartition : à décrire pour des dépenses indirectes au réel."}
        )
    parametres, _ = ParametresFinanciers.objects.update_or_create(
        operation=operation,
        defaults={
            "mode_indirects": mode_indirects,
            "taux_forfaitaire": taux_forfaitaire,
            "cle_repartition": cle_repartition,
        },
    )
    return parametres
