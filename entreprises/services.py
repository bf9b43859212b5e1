"""Writes of the employer side. Every service is keyword-only and atomic, checks the permission
(``entreprises.permissions``), validates everything first and raises one ``ValidationError`` with
French messages per field: nothing is half-saved. The author is ``scope.user``."""

from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from entreprises import regles
from entreprises.enums import SITUATIONS_EN_EMPLOI, STATUTS_FINAUX, StatutMiseEnRelation, StatutOffre
from entreprises.models import (
    ActionEntreprise,
    Contact,
    ContratEmployeur,
    Convention,
    Echange,
    Employeur,
    HeuresMois,
    Marche,
    MiseEnRelation,
    Offre,
    Placement,
    PresenceAction,
    SuiviSixMois,
)
from entreprises.permissions import (
    can_manage_clauses,
    can_manage_conventions,
    can_manage_employeurs,
    can_propose_candidat,
    can_record_embauche,
    can_record_resultat,
    can_record_suivi_sortie,
)
from parcours.models import Contrat, Parcours
from parcours.services.suivi import etape_add
from parcours.sorties import normalise_employeur
from participants.documents import clean_filename, validate_upload
from plie.core.storage import delete_quietly

EMPLOYEUR_FIELDS = ("siret", "nom", "code_naf", "adresse", "code_postal", "commune", "taille", "secteur")
CONTACT_FIELDS = ("nom", "prenom", "fonction", "telephone", "email")
OFFRE_FIELDS = (
    "intitule",
    "code_rome",
    "type_contrat",
    "heures_hebdo",
    "lieu",
    "code_postal",
    "date_publication",
    "date_debut",
    "date_limite",
    "postes",
    "status",
    "description",
)
CONVENTION_FIELDS = (
    "type_partenaire",
    "employeur",
    "partenaire",
    "objet",
    "date_signature",
    "date_debut",
    "date_fin",
)
MARCHE_FIELDS = (
    "donneur_ordre",
    "reference",
    "lot",
    "intitule",
    "attributaire",
    "heures_requises",
    "date_debut",
    "date_fin",
    "reserve",
    "hors_btp",
)


def _require(allowed):
    if not allowed:
        raise PermissionDenied


def _add(errors, field, message):
    if message:
        errors.setdefault(field, []).append(message)


def _raise(errors):
    if errors:
        raise ValidationError(errors)


def _unknown(values, fields):
    unknown = set(values) - set(fields)
    if unknown:
        raise TypeError(f"Champs inconnus : {', '.join(sorted(unknown))}")


# --- employers, contacts, exchanges ------------------------------------------------------------


def _employeur_errors(plie_id, values, *, current=None):
    errors = {}
    values["siret"] = regles.clean_siret(values.get("siret"))
    values["nom"] = (values.get("nom") or "").strip()
    values["code_naf"] = (values.get("code_naf") or "").strip().upper()
    _add(errors, "siret", regles.siret_error(values["siret"]))
    _add(errors, "code_naf", regles.naf_error(values["code_naf"]))
    if not values["nom"]:
        _add(errors, "nom", "Indiquez la raison sociale de l'employeur.")
    if "siret" not in errors:
        twin = Employeur.objects.filter(plie_id=plie_id, siret=values["siret"])
        if current is not None:
            twin = twin.exclude(pk=current.pk)
        twin = twin.first()
        if twin is not None:
            _add(errors, "siret", f"Un employeur de ce PLIE porte déjà ce SIRET : « {twin.nom} ».")
    return errors


@transaction.atomic
def employeur_create(*, scope, plie_id, **values):
    """Record an employer of the PLIE ``plie_id``: a valid SIRET, unique within the PLIE."""
    _unknown(values, EMPLOYEUR_FIELDS)
    _require(can_manage_employeurs(scope, plie_id))
    _raise(_employeur_errors(plie_id, values))
    employeur = Employeur(plie_id=plie_id, created_by=scope.user, **values)
    employeur._history_user = scope.user
    employeur.save()
    return employeur


@transaction.atomic
def employeur_update(*, scope, employeur, **values):
    _unknown(values, EMPLOYEUR_FIELDS)
    _require(can_manage_employeurs(scope, employeur.plie_id))
    merged = {field: values.get(field, getattr(employeur, field)) for field in EMPLOYEUR_FIELDS}
    _raise(_employeur_errors(employeur.plie_id, merged, current=employeur))
    for field, value in merged.items():
        setattr(employeur, field, value)
    employeur._history_user = scope.user
    employeur.save()
    return employeur


@transaction.atomic
def contact_add(*, scope, employeur, **values):
    _unknown(values, CONTACT_FIELDS)
    _require(can_manage_employeurs(scope, employeur.plie_id))
    if not (values.get("nom") or "").strip():
        raise ValidationError({"nom": ["Indiquez le nom du contact."]})
    contact = Contact(employeur=employeur, **values)
    contact._history_user = scope.user
    contact.save()
    return contact


@transaction.atomic
def echange_add(*, scope, employeur, type, date, contact=None, compte_rendu=""):
    """Log an exchange (visit, call, event…) with ``employeur``; not in the future."""
    _require(can_manage_employeurs(scope, employeur.plie_id))
    errors = {}
    if date is None:
        _add(errors, "date", "Indiquez la date de l'échange.")
    elif date > timezone.localdate():
        _add(errors, "date", "Un échange se note une fois qu'il a eu lieu : la date ne peut pas être future.")
    if contact is not None and contact.employeur_id != employeur.pk:
        _add(errors, "contact", "Ce contact n'est pas un contact de cet employeur.")
    _raise(errors)
    return Echange.objects.create(
        employeur=employeur,
        type=type,
        date=date,
        contact=contact,
        compte_rendu=(compte_rendu or "").strip(),
        auteur=scope.user,
    )


# --- offers ------------------------------------------------------------------------------------


def _offre_errors(values):
    errors = {}
    values["code_rome"] = (values.get("code_rome") or "").strip().upper()
    _add(errors, "code_rome", regles.rome_error(values["code_rome"]))
    if not (values.get("intitule") or "").strip():
        _add(errors, "intitule", "Indiquez l'intitulé du poste.")
    if not (values.get("lieu") or "").strip():
        _add(errors, "lieu", "Indiquez le lieu de travail.")
    heures = values.get("heures_hebdo")
    if heures is not None and not (Decimal(0) < heures <= regles.HEURES_SEMAINE_MAX):
        _add(errors, "heures_hebdo", "Les heures par semaine vont de 1 à 48 (durée maximale légale).")
    if (values.get("postes") or 0) < 1:
        _add(errors, "postes", "Une offre compte au moins un poste.")
    if values.get("date_publication") is None:
        _add(errors, "date_publication", "Indiquez la date de publication.")
    elif values.get("date_limite") and values["date_limite"] < values["date_publication"]:
        _add(errors, "date_limite", "La date limite de candidature suit la publication.")
    return errors


@transaction.atomic
def offre_create(*, scope, employeur, **values):
    _unknown(values, OFFRE_FIELDS)
    _require(can_manage_employeurs(scope, employeur.plie_id))
    values.setdefault("status", StatutOffre.OUVERTE)
    values.setdefault("postes", 1)
    _raise(_offre_errors(values))
    offre = Offre(plie_id=employeur.plie_id, employeur=employeur, created_by=scope.user, **values)
    offre._history_user = scope.user
    offre.save()
    return offre


@transaction.atomic
def offre_update(*, scope, offre, **values):
    _unknown(values, OFFRE_FIELDS)
    _require(can_manage_employeurs(scope, offre.plie_id))
    merged = {field: values.get(field, getattr(offre, field)) for field in OFFRE_FIELDS}
    _raise(_offre_errors(merged))
    for field, value in merged.items():
        setattr(offre, field, value)
    offre._history_user = scope.user
    offre.save()
    return offre


# --- mises en relation -------------------------------------------------------------------------


def offre_fermee_message(offre, today):
    """Why nobody may be put forward on ``offre`` any more, or ``""``."""
    if offre.status != StatutOffre.OUVERTE:
        return f"Cette offre est {offre.get_status_display().lower()} : on n'y propose plus de candidat."
    if offre.date_limite and offre.date_limite < today:
        return f"Les candidatures à cette offre sont closes depuis le {offre.date_limite:%d/%m/%Y}."
    return ""


@transaction.atomic
def mise_en_relation_propose(*, scope, offre, participant, date_proposition=None):
    """Put ``participant`` forward on ``offre``: the offer open, the participant of the offer's
    PLIE and in parcours there, not already proposed on it. A référent who is not on the
    employer side proposes the participants they follow."""
    today = timezone.localdate()
    date_proposition = date_proposition or today
    errors = {}
    _add(errors, "offre", offre_fermee_message(offre, today))
    parcours = None
    if participant.plie_id != offre.plie_id:
        _add(errors, "participant", "Ce participant n'est pas suivi par le PLIE de cette offre.")
    else:
        parcours = (
            Parcours.objects.actifs()
            .filter(participant=participant, plie_id=offre.plie_id)
            .select_related("plie")
            .order_by("-date_entree")
            .first()
        )
        if parcours is None:
            _add(errors, "participant", "Ce participant n'est pas en parcours : il ne peut pas être proposé.")
    mise = MiseEnRelation(
        offre=offre, participant=participant, parcours=parcours, date_proposition=date_proposition
    )
    if parcours is not None:
        _require(can_propose_candidat(scope, mise))
    elif not errors:
        raise PermissionDenied
    if parcours is not None and MiseEnRelation.objects.filter(offre=offre, participant=participant).exists():
        _add(errors, "participant", "Ce participant est déjà proposé sur cette offre.")
    if date_proposition > today:
        _add(errors, "date_proposition", "La date de proposition ne peut pas être future.")
    _raise(errors)
    mise.proposee_par = scope.user
    mise._history_user = scope.user
    mise.save()
    return mise


RESULTATS_SIMPLES = (
    StatutMiseEnRelation.CANDIDATURE,
    StatutMiseEnRelation.ENTRETIEN,
    StatutMiseEnRelation.NON_RETENU,
    StatutMiseEnRelation.DESISTEMENT,
)


def _check_not_final(mise):
    if mise.status in STATUTS_FINAUX:
        raise ValidationError(
            f"Le résultat de cette mise en relation est déjà connu ({mise.get_status_display().lower()})."
        )


@transaction.atomic
def mise_en_relation_resultat(*, scope, mise, status, date_resultat=None, motif=""):
    """Record an outcome other than the hire: candidature envoyée, entretien d'embauche, non
    retenu (with its reason), désistement."""
    _require(can_record_resultat(scope, mise))
    mise = MiseEnRelation.objects.select_for_update().select_related("offre", "parcours").get(pk=mise.pk)
    _check_not_final(mise)
    errors = {}
    if status not in RESULTATS_SIMPLES:
        _add(errors, "status", "Choisissez un résultat de la liste (l'embauche s'enregistre à part).")
    motif = (motif or "").strip()
    if status == StatutMiseEnRelation.NON_RETENU and not motif:
        _add(errors, "motif", "Indiquez le motif pour lequel la candidature n'a pas été retenue.")
    date_resultat = date_resultat or timezone.localdate()
    if date_resultat < mise.date_proposition:
        _add(errors, "date_resultat", "Le résultat ne peut pas précéder la proposition.")
    _raise(errors)
    mise.status, mise.date_resultat, mise.motif = status, date_resultat, motif
    mise._history_user = scope.user
    mise.save()
    return mise


@transaction.atomic
def mise_en_relation_embauche(
    *, scope, mise, type_etape, date_debut, date_fin_prevue=None, type_contrat=None, heures_hebdo=None
):
    """The participant is hired (« retenu »): the job étape and its contract are created in the
    parcours through ``parcours.services.suivi.etape_add`` (its rules apply: a job type of étape, dates
    inside the parcours, at most 48 h a week…), linked to the employer, and the offer marked
    « pourvue » once all its posts are filled — all in one transaction."""
    _require(can_record_embauche(scope, mise))
    mise = (
        MiseEnRelation.objects.select_for_update()
        .select_related("offre__employeur", "parcours")
        .get(pk=mise.pk)
    )
    _check_not_final(mise)
    offre = mise.offre
    etape = etape_add(
        scope=scope,
        parcours=mise.parcours,
        type=type_etape,
        date_debut=date_debut,
        date_fin_prevue=date_fin_prevue,
        resultat=f"Embauche sur l'offre « {offre.intitule} »",
        contrat={
            "employeur": offre.employeur.nom,
            "siret": offre.employeur.siret,
            "type_contrat": type_contrat or offre.type_contrat,
            "heures_hebdo": heures_hebdo if heures_hebdo is not None else offre.heures_hebdo,
            "date_debut": date_debut,
            "date_fin_prevue": date_fin_prevue,
        },
    )
    if hasattr(etape, "contrat"):
        ContratEmployeur.objects.create(contrat=etape.contrat, employeur=offre.employeur)
    mise.status = StatutMiseEnRelation.RETENU
    mise.date_resultat = max(timezone.localdate(), mise.date_proposition)
    mise.etape = etape
    mise._history_user = scope.user
    mise.save()
    retenus = MiseEnRelation.objects.filter(offre=offre, status=StatutMiseEnRelation.RETENU).count()
    if retenus >= offre.postes and offre.status == StatutOffre.OUVERTE:
        offre.status = StatutOffre.POURVUE
        offre._history_user = scope.user
        offre.save(update_fields=["status"])
    return mise


# --- social clauses ----------------------------------------------------------------------------


def _marche_errors(values):
    errors = {}
    for field, message in (
        ("donneur_ordre", "Indiquez le donneur d'ordre."),
        ("reference", "Indiquez la référence du marché."),
    ):
        values[field] = (values.get(field) or "").strip()
        if not values[field]:
            _add(errors, field, message)
    if values.get("attributaire") is None:
        _add(errors, "attributaire", "Choisissez l'entreprise attributaire.")
    if not values.get("heures_requises"):
        _add(errors, "heures_requises", "Indiquez le nombre d'heures d'insertion requises.")
    debut, fin = values.get("date_debut"), values.get("date_fin")
    if debut is None:
        _add(errors, "date_debut", "Indiquez le début du marché.")
    if fin is None:
        _add(errors, "date_fin", "Indiquez la fin du marché.")
    if debut and fin and fin < debut:
        _add(errors, "date_fin", "La fin du marché doit suivre son début.")
    return errors


@transaction.atomic
def marche_create(*, scope, plie_id, **values):
    _unknown(values, MARCHE_FIELDS)
    _require(can_manage_clauses(scope, plie_id))
    errors = _marche_errors(values)
    attributaire = values.get("attributaire")
    if attributaire is not None and attributaire.plie_id != plie_id:
        _add(errors, "attributaire", "Cette entreprise n'est pas un employeur de ce PLIE.")
    if (
        not errors
        and Marche.objects.filter(
            plie_id=plie_id, reference=values["reference"], lot=values.get("lot") or ""
        ).exists()
    ):
        _add(errors, "lot", "Ce lot de ce marché existe déjà.")
    _raise(errors)
    marche = Marche(plie_id=plie_id, **values)
    marche._history_user = scope.user
    marche.save()
    return marche


@transaction.atomic
def placement_add(*, scope, marche, participant, modalite, date_debut, date_fin=None, contrat=None):
    """Place ``participant`` (of the market's PLIE) on ``marche``, within its period."""
    _require(can_manage_clauses(scope, marche.plie_id))
    errors = {}
    if participant.plie_id != marche.plie_id:
        _add(errors, "participant", "Ce participant n'est pas suivi par le PLIE de ce marché.")
    if date_debut is None:
        _add(errors, "date_debut", "Indiquez le début du placement.")
    elif not (marche.date_debut <= date_debut <= marche.date_fin):
        _add(
            errors,
            "date_debut",
            f"Le placement commence pendant le marché (du {marche.date_debut:%d/%m/%Y} "
            f"au {marche.date_fin:%d/%m/%Y}).",
        )
    if date_fin is not None and date_debut is not None and date_fin < date_debut:
        _add(errors, "date_fin", "La fin du placement doit suivre son début.")
    if contrat is not None and contrat.etape.parcours.participant_id != participant.pk:
        _add(errors, "contrat", "Ce contrat n'est pas celui de ce participant.")
    _raise(errors)
    placement = Placement(
        marche=marche,
        participant=participant,
        modalite=modalite,
        date_debut=date_debut,
        date_fin=date_fin,
        contrat=contrat,
    )
    placement._history_user = scope.user
    placement.save()
    return placement


def periode_placement(placement):
    """The days hours may be declared for: the placement's, inside the market's period."""
    marche = placement.marche
    debut = max(placement.date_debut, marche.date_debut)
    fin = min(placement.date_fin or marche.date_fin, marche.date_fin)
    return debut, fin


@transaction.atomic
def heures_declare(*, scope, placement, mois, heures):
    """Declare (or correct) the hours done by ``placement`` in the month ``mois``: inside the
    placement's period on the market, at most 48 h a week (``regles.heures_mois_error``)."""
    _require(can_manage_clauses(scope, placement.marche.plie_id))
    if mois is None:
        raise ValidationError({"mois": ["Indiquez le mois."]})
    mois = regles.first_of_month(mois)
    debut, fin = periode_placement(placement)
    message = regles.heures_mois_error(mois=mois, heures=heures, debut=debut, fin=fin)
    if message:
        raise ValidationError({"heures": [message]})
    row, _ = HeuresMois.objects.update_or_create(placement=placement, mois=mois, defaults={"heures": heures})
    return row


# --- six months after exit ---------------------------------------------------------------------


@transaction.atomic
def suivi_six_mois_record(
    *, scope, parcours, situation, date_releve, commentaire="", situation_amelioree=None
):
    """Record the situation six months after ``parcours``' exit (once the follow-up is due).
    ``situation_amelioree`` (FSE+ EECR06) only applies to someone in employment then."""
    _require(can_record_suivi_sortie(scope, parcours))
    errors = {}
    if parcours.date_sortie is None:
        raise ValidationError("Ce parcours n'est pas sorti : pas de suivi à six mois.")
    echeance = regles.echeance_suivi(parcours.date_sortie)
    if date_releve is None:
        _add(errors, "date_releve", "Indiquez la date du relevé.")
    elif date_releve < echeance:
        _add(errors, "date_releve", f"Le suivi à six mois se relève à partir du {echeance:%d/%m/%Y}.")
    elif date_releve > timezone.localdate():
        _add(errors, "date_releve", "La date du relevé ne peut pas être future.")
    if situation_amelioree and situation not in SITUATIONS_EN_EMPLOI:
        _add(
            errors,
            "situation_amelioree",
            "Une situation améliorée suppose un emploi (salarié ou indépendant) six mois après la sortie.",
        )
    _raise(errors)
    suivi, _ = SuiviSixMois.objects.update_or_create(
        parcours=parcours,
        defaults={
            "situation": situation,
            "situation_amelioree": situation_amelioree if situation in SITUATIONS_EN_EMPLOI else None,
            "date_releve": date_releve,
            "commentaire": (commentaire or "").strip(),
            "recorded_by": scope.user,
        },
    )
    return suivi


# --- contracts of parcours linked to their employer -----------------------------------------------


@transaction.atomic
def contrats_lier(*, scope, plie_id):
    """Link the contracts recorded in the parcours of the PLIE ``plie_id`` (``Contrat.employeur``
    is free text) to the PLIE's employers: by SIRET when the contract has one, else by the name
    (``parcours.sorties.normalise_employeur``) when exactly one employer bears it. Contracts
    already linked are left alone. Returns ``(linked, unmatched)``: the number linked, and the
    contracts left for a person to link (a list of ``Contrat``). Safe to run twice.

    Not a data migration: when the app is installed there is no employer yet to match; this runs
    from ``manage.py lier_contrats_employeurs`` (and the demo) once employers are recorded, with a
    system scope on the PLIE (``Scope.system``)."""
    _require(plie_id in scope.employer_plie_ids)
    employeurs = list(Employeur.objects.filter(plie_id=plie_id))
    by_siret = {e.siret: e for e in employeurs}
    by_name = {}
    for employeur in employeurs:
        by_name.setdefault(normalise_employeur(employeur.nom), []).append(employeur)
    contrats = (
        Contrat.objects.filter(etape__parcours__plie_id=plie_id, lien_employeur__isnull=True)
        .select_related("etape__parcours__participant")
        .order_by("pk")
    )
    links, unmatched = [], []
    for contrat in contrats:
        employeur = by_siret.get(contrat.siret) if contrat.siret else None
        if employeur is None:
            named = by_name.get(normalise_employeur(contrat.employeur), [])
            employeur = named[0] if len(named) == 1 else None
        if employeur is None:
            unmatched.append(contrat)
        else:
            links.append(ContratEmployeur(contrat=contrat, employeur=employeur))
    ContratEmployeur.objects.bulk_create(links)
    return len(links), unmatched


# --- partner actions with employers and their attendance sheet -----------------------------------


@transaction.atomic
def action_create(*, scope, plie_id, type, intitule, date, lieu="", employeurs=()):
    """Record a partner action with employers (job dating, visit…) of the PLIE ``plie_id``."""
    _require(can_manage_employeurs(scope, plie_id))
    errors = {}
    if not (intitule or "").strip():
        _add(errors, "intitule", "Indiquez l'intitulé de l'action.")
    if date is None:
        _add(errors, "date", "Indiquez la date de l'action.")
    if any(e.plie_id != plie_id for e in employeurs):
        _add(errors, "employeurs", "Un employeur choisi n'est pas un employeur de ce PLIE.")
    _raise(errors)
    action = ActionEntreprise.objects.create(
        plie_id=plie_id,
        type=type,
        intitule=intitule.strip(),
        date=date,
        lieu=(lieu or "").strip(),
        created_by=scope.user,
    )
    action.employeurs.set(employeurs)
    return action


@transaction.atomic
def action_inviter(*, scope, action, participant):
    """Put ``participant`` (of the action's PLIE) on the attendance sheet of ``action``."""
    _require(can_manage_employeurs(scope, action.plie_id))
    if participant.plie_id != action.plie_id:
        raise ValidationError(
            {"participant": ["Ce participant n'est pas suivi par le PLIE de cette action."]}
        )
    if PresenceAction.objects.filter(action=action, participant=participant).exists():
        raise ValidationError({"participant": ["Ce participant est déjà inscrit à cette action."]})
    return PresenceAction.objects.create(action=action, participant=participant)


@transaction.atomic
def action_emarger(*, scope, action, presents):
    """Fill the attendance sheet: the participants whose ids are in ``presents`` were there, the
    others invited were not. Not before the action took place."""
    _require(can_manage_employeurs(scope, action.plie_id))
    if action.date > timezone.localdate():
        raise ValidationError("L'émargement se fait le jour de l'action ou après.")
    presents = {int(pk) for pk in presents}
    rows = list(PresenceAction.objects.select_for_update().filter(action=action))
    for row in rows:
        row.present = row.participant_id in presents
    PresenceAction.objects.bulk_update(rows, ["present"])
    return rows


# --- partnership conventions -------------------------------------------------------------------


def _convention_errors(plie_id, values, document):
    errors = {}
    values["partenaire"] = (values.get("partenaire") or "").strip()
    values["objet"] = (values.get("objet") or "").strip()
    if not values.get("type_partenaire"):
        _add(errors, "type_partenaire", "Indiquez le type de partenaire.")
    employeur = values.get("employeur")
    if employeur is not None and employeur.plie_id != plie_id:
        _add(errors, "employeur", "Cet employeur n'est pas un employeur de ce PLIE.")
    if employeur is None and not values["partenaire"]:
        _add(errors, "partenaire", "Indiquez le partenaire, ou choisissez un employeur enregistré.")
    if not values["objet"]:
        _add(errors, "objet", "Indiquez l'objet de la convention.")
    for field, message in regles.convention_dates_errors(
        date_debut=values.get("date_debut"), date_fin=values.get("date_fin")
    ).items():
        _add(errors, field, message)
    if document is not None:
        try:
            validate_upload(document)  # a PDF or an image, its content matching its name, size capped
        except ValidationError as error:
            _add(errors, "document", f"Convention signée : {error.messages[0]}")
    return errors


def _save_convention(convention, scope, document):
    if document is not None:
        previous = convention.document.name if convention.document else ""
        convention.document_nom = clean_filename(document.name)
        convention.document.save(document.name, document, save=False)
        if previous:
            transaction.on_commit(lambda: delete_quietly(previous))
    convention._history_user = scope.user
    convention.save()
    return convention


@transaction.atomic
def convention_create(*, scope, plie_id, document=None, **values):
    """Record a partnership convention of the PLIE ``plie_id`` with a donneur d'ordre, an SIAE or
    an employing structure (an employer of the same PLIE or a partner named in full), its object,
    dates (no end: no fixed term; an end before the start is refused) and, optionally, its
    signed copy (a PDF or an image, through the storage API)."""
    _unknown(values, CONVENTION_FIELDS)
    _require(can_manage_conventions(scope, plie_id))
    _raise(_convention_errors(plie_id, values, document))
    convention = Convention(plie_id=plie_id, created_by=scope.user, **values)
    return _save_convention(convention, scope, document)


@transaction.atomic
def convention_update(*, scope, convention, document=None, **values):
    _unknown(values, CONVENTION_FIELDS)
    _require(can_manage_conventions(scope, convention.plie_id))
    merged = {field: values.get(field, getattr(convention, field)) for field in CONVENTION_FIELDS}
    _raise(_convention_errors(convention.plie_id, merged, document))
    for field, value in merged.items():
        setattr(convention, field, value)
    return _save_convention(convention, scope, document)
