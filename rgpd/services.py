"""Writes of the rgpd app: anonymising a person, deleting expired import files, the nightly run
of one PLIE, recording an objection. Keyword-only, atomic; the author is ``scope.user`` or the
system scope's label (journaled)."""

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from operations.models import Inscription
from parcours.models import (
    AffectationReferent,
    Contrat,
    Decision,
    Entretien,
    Etape,
    ImportParcours,
    Parcours,
    Sortie,
    Suspension,
)
from participants.models import Document, Frein, Participant, SituationEntree
from plie.core import journal
from plie.core.enums import JournalAction
from rgpd import conservation
from rgpd.models import Anonymisation, Opposition
from rgpd.permissions import can_object_anonymisation
from rgpd.selectors import conservation_of, plan

ANONYME = "ANONYME"

# What identifies a person or says something about them in words: emptied. What the statistics
# count (sex, nationality group, QPV, household, FSE answers, dates of entry, exit, étapes,
# contract types and hours, exit types) stays.
PARTICIPANT_EFFACE = {
    "nom": ANONYME,
    "prenom": "",
    "nom_naissance": "",
    "commune_naissance": "",
    "code_commune_naissance": "",
    "adresse": "",
    "code_postal": "",
    "commune": "",
    "telephone": "",
    "telephone_fixe": "",
    "email": "",
    "contact_tiers": "",
    "identifiant_france_travail": "",
    "numero_caf": "",
    "identifiant_externe": "",
    "search_text": "anonyme",
    "telephone_digits": "",
}
TEXTES_PARCOURS = {"motif_orientation": "", "projet": "", "freins_diagnostic": ""}


def _purge_history(participant_id, parcours_ids, etape_ids):
    """History rows go with what they recorded (they hold the old names and texts)."""
    Participant.history.model.objects.filter(id=participant_id).delete()
    for model in (SituationEntree, Frein, Document, Inscription):
        model.history.model.objects.filter(participant_id=participant_id).delete()
    Parcours.history.model.objects.filter(participant_id=participant_id).delete()
    for model in (Decision, Entretien, Etape, Suspension, Sortie):
        model.history.model.objects.filter(parcours_id__in=parcours_ids).delete()
    Contrat.history.model.objects.filter(etape_id__in=etape_ids).delete()


@transaction.atomic
def participant_anonymise(*, scope, participant_id, echeance):
    """Anonymise one person (idempotent: a person already anonymised is left as is).

    Names, contacts, identifiers and free texts are emptied, the birth date generalised
    (:func:`rgpd.conservation.date_naissance_generalisee`), documents deleted (files through the
    storage API), the history rows of the dossier deleted; the statistical facts stay, so a
    closed bilan gives the same figures. Returns the :class:`Anonymisation`, ``None`` when it
    was done before."""
    participant = Participant.objects.select_for_update().get(pk=participant_id)
    if Anonymisation.objects.filter(participant_id=participant_id).exists():
        return None
    parcours_ids = list(Parcours.objects.filter(participant_id=participant_id).values_list("pk", flat=True))
    etape_ids = list(Etape.objects.filter(parcours_id__in=parcours_ids).values_list("pk", flat=True))
    references = [
        *SituationEntree.objects.filter(participant_id=participant_id).values_list("date_entree", flat=True),
        *Parcours.objects.filter(pk__in=parcours_ids).values_list("date_entree", flat=True),
        *Inscription.objects.filter(participant_id=participant_id).values_list("date_entree", flat=True),
    ]
    naissance = conservation.date_naissance_generalisee(participant.date_naissance, references)
    Participant.objects.filter(pk=participant_id).update(**PARTICIPANT_EFFACE, date_naissance=naissance)
    Frein.objects.filter(participant_id=participant_id).update(precision="")
    Parcours.objects.filter(pk__in=parcours_ids).update(**TEXTES_PARCOURS)
    Entretien.objects.filter(parcours_id__in=parcours_ids).update(notes="")
    Decision.objects.filter(parcours_id__in=parcours_ids).update(motif="")
    Etape.objects.filter(pk__in=etape_ids).update(resultat="")
    Contrat.objects.filter(etape_id__in=etape_ids).update(employeur="", siret="")
    Sortie.objects.filter(parcours_id__in=parcours_ids).update(commentaire="")
    AffectationReferent.objects.filter(parcours_id__in=parcours_ids).update(motif="")
    Opposition.objects.filter(participant_id=participant_id).delete()

    documents = list(Document.objects.filter(participant_id=participant_id))
    for document in documents:
        # the file goes when the transaction commits (a rollback keeps the dossier whole)
        name, storage = document.fichier.name, document.fichier.storage
        transaction.on_commit(lambda name=name, storage=storage: storage.delete(name))
    Document.objects.filter(participant_id=participant_id)._raw_delete(Document.objects.db)
    _purge_history(participant_id, parcours_ids, etape_ids)

    done = Anonymisation.objects.create(
        plie_id=participant.plie_id,
        participant_id=participant_id,
        echeance=echeance,
        documents_supprimes=len(documents),
    )
    journal.record(scope, None, JournalAction.ANONYMISATION, [(participant_id, participant.plie_id)])
    return done


def imports_expires(plie_id, now, jours):
    """The PLIE's imports whose file or error report is older than ``jours`` days and still held."""
    limite = now - datetime.timedelta(days=jours)
    return (
        ImportParcours.objects.filter(plie_id=plie_id, created_at__lt=limite)
        .exclude(fichier="", erreurs=[], doublons=[], message="")
        .exclude(
            status__in=[
                ImportParcours.Status.EN_ATTENTE,
                ImportParcours.Status.VALIDATION,
                ImportParcours.Status.IMPORT,
            ]
        )
    )


def imports_purge(*, plie_id, now, jours):
    """Delete the uploaded file (storage API) and empty the error report of the PLIE's imports
    older than ``jours`` days; the counts stay. Returns how many imports were cleaned."""
    count = 0
    for job in imports_expires(plie_id, now, jours):
        if job.fichier:
            job.fichier.delete(save=False)
        ImportParcours.objects.filter(pk=job.pk).update(fichier="", erreurs=[], doublons=[], message="")
        count += 1
    return count


def conservation_run(*, scope, plie_id, today, now=None):
    """The nightly retention run of ONE PLIE (idempotent): anonymise who is due and not objected
    for, clean the expired import files, prune the access journal. Returns the counts."""
    now = now or timezone.now()
    settings = conservation_of(plie_id)
    anonymises = 0
    for row in plan(plie_id, today, settings):
        if row["statut"] == conservation.A_ANONYMISER and participant_anonymise(
            scope=scope, participant_id=row["participant_id"], echeance=row["echeance"]
        ):
            anonymises += 1
    return {
        "anonymises": anonymises,
        "imports": imports_purge(plie_id=plie_id, now=now, jours=settings.jours_fichiers_import),
        "journal": journal.prune(plie_id, now),
    }


@transaction.atomic
def opposition_record(*, scope, participant, motif, jusqu_au, today=None):
    """A référent's objection to the anonymisation of ``participant`` until ``jusqu_au`` (at most
    one year ahead), with a reason."""
    today = today or timezone.localdate()
    if not can_object_anonymisation(scope, participant):
        raise PermissionDenied
    errors = {}
    if not (motif or "").strip():
        errors["motif"] = "Indiquez pourquoi le dossier doit être gardé."
    if jusqu_au is None or jusqu_au <= today:
        errors["jusqu_au"] = "La date doit être postérieure à aujourd'hui."
    elif jusqu_au > conservation.add_years(today, 1):
        errors["jusqu_au"] = "Une opposition vaut au plus un an ; renouvelez-la ensuite si besoin."
    if errors:
        raise ValidationError(errors)
    return Opposition.objects.create(
        plie_id=participant.plie_id,
        participant=participant,
        motif=motif.strip(),
        jusqu_au=jusqu_au,
        created_by=scope.user,
    )
