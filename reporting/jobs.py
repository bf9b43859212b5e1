"""Long exports as background jobs (issue 7: « a PDF bilan over an OI, an XLSX over 100,000
participants run as Celery tasks with a progress indicator in the page and a download link when
done; the user can leave the page and come back »).

- :func:`demande_create` records an :class:`reporting.models.ExportDemande` and sends
  ``reporting.tasks.export_run`` once the transaction commits;
- :func:`executer` (the task's body) produces the file under ``exports/`` in the storage
  (``default_storage``: ``MEDIA_ROOT`` or the bucket, see ``plie.core.storage``), updating
  ``progress`` as it goes. Idempotent: a finished job is left alone; a failed one records its
  error (re-sending it retries). The file is written in the worker's scratch directory, then
  handed whole to the storage, so a worker killed mid-way never leaves a half file behind a
  « terminé » job, and the web on another machine downloads what any worker produced;
- :func:`reporting.permissions.can_download_export`: only the requester, and only while their
  scope still covers the PLIE of the export.

Scoping is that of the synchronous exports: a bilan needs the PLIE's figures
(``scope.plie_ids``, a financeur may have one), the participants list needs their
personal data (``personal_plie_ids``, as ``Participant.objects.visible_to``). The participants
list holds no sensitive field (disability, RSA, health): those stay in the dossier."""

import logging
import tempfile
from pathlib import Path

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import OuterRef, Q, Subquery
from django.utils import timezone
from django.utils.text import slugify

from plie.core.models import Structure
from plie.core.scoping import scope_for
from plie.core.storage import delete_quietly, store_file, stored_files
from reporting.models import ExportDemande
from reporting.permissions import exportable_plie_ids

logger = logging.getLogger(__name__)

EXPORTS_DIR = "exports"
ANNEE_MIN, ANNEE_MAX = 2000, 2100
Kind = ExportDemande.Kind
Status = ExportDemande.Status
KINDS_BILAN = (Kind.BILAN_PDF, Kind.BILAN_XLSX)
EXTENSIONS = {Kind.BILAN_PDF: "pdf", Kind.BILAN_XLSX: "xlsx", Kind.PARTICIPANTS_XLSX: "xlsx"}
CONTENT_TYPES = {
    "pdf": "application/pdf",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
CHUNK_SIZE = 2000


class ExportRefuse(Exception):
    """The requester's scope no longer covers the export (recorded as the job's error)."""


# --- Asking -------------------------------------------------------------------------------------


def demande_create(*, scope, kind, plie_ids=(), annee=None):
    """Record the export ``kind`` asked by ``scope`` and send its task after commit.

    A bilan is over ``plie_ids`` (one PLIE, or an OI's PLIE) for the year ``annee``; the
    participants list is over every PLIE whose participants the scope may see (``plie_ids`` is
    ignored). Raises ``PermissionDenied`` for a PLIE out of scope, ``ValidationError`` (French
    message naming the field) for bad input."""
    from reporting.tasks import export_run

    if kind not in Kind.values:
        raise ValidationError({"kind": f"Export « {kind} » inconnu."})
    autorisees = exportable_plie_ids(scope, kind)
    if kind == Kind.PARTICIPANTS_XLSX:
        if not autorisees:
            raise PermissionDenied("Vous ne pouvez pas exporter de participants.")
        ids = sorted(autorisees)
        params = {"plie_ids": ids}
        libelle = f"Participants — {_noms(ids)}"
    else:
        ids = sorted(set(plie_ids))
        if not ids:
            raise ValidationError({"perimetre": "Choisissez un PLIE ou un OI."})
        if not set(ids) <= autorisees:
            raise PermissionDenied("Ce PLIE n'est pas dans votre périmètre.")
        if annee is None or not ANNEE_MIN <= int(annee) <= ANNEE_MAX:
            raise ValidationError({"annee": f"L'année doit être comprise entre {ANNEE_MIN} et {ANNEE_MAX}."})
        params = {"plie_ids": ids, "annee": int(annee)}
        libelle = f"Bilan {int(annee)} — {_noms(ids)}"
    with transaction.atomic():
        demande = ExportDemande.objects.create(
            user=scope.user, kind=kind, params=params, libelle=libelle[:255]
        )
        transaction.on_commit(lambda: export_run.delay(demande.pk))
    return demande


def demande_relancer(demande):
    """Put a failed job back in the queue (the task then retries it from scratch)."""
    from reporting.tasks import export_run

    with transaction.atomic():
        updated = ExportDemande.objects.filter(pk=demande.pk, status=Status.FAILED).update(
            status=Status.PENDING, progress=0, error="", finished_at=None
        )
        if updated:
            transaction.on_commit(lambda: export_run.delay(demande.pk))
    return updated == 1


def _noms(plie_ids):
    noms = list(Structure.objects.filter(pk__in=plie_ids).order_by("nom").values_list("nom", flat=True))
    return ", ".join(noms)


# --- Running ------------------------------------------------------------------------------------


def _progression(demande_id, pourcentage):
    ExportDemande.objects.filter(pk=demande_id).update(progress=max(0, min(100, int(pourcentage))))


def executer(demande_id):
    """Produce the file of the export ``demande_id`` (the body of ``reporting.tasks.export_run``).
    Returns the job. A job already done is returned untouched (idempotent)."""
    with transaction.atomic():
        demande = (
            ExportDemande.objects.select_for_update(of=("self",)).select_related("user").get(pk=demande_id)
        )
        if demande.status == Status.DONE:
            return demande
        demande.status, demande.progress, demande.error = Status.RUNNING, 0, ""
        demande.started_at, demande.finished_at = timezone.now(), None
        demande.save(update_fields=["status", "progress", "error", "started_at", "finished_at"])
    try:
        if not set(demande.params.get("plie_ids", ())) <= exportable_plie_ids(
            scope_for(demande.user), demande.kind
        ):
            raise ExportRefuse("Le périmètre de l'export n'est plus dans vos droits.")
        relatif = chemin_fichier(demande)
        with tempfile.TemporaryDirectory(prefix="plie-export-") as brouillon:
            local = Path(brouillon) / relatif.name
            PRODUCTEURS[demande.kind](demande, local)
            stocke = store_file(local, str(relatif))
    except Exception as exc:
        logger.exception("Export %s en échec", demande_id)
        message = str(exc) if isinstance(exc, ExportRefuse) else f"{type(exc).__name__} : {exc}"
        demande.status, demande.error, demande.finished_at = Status.FAILED, message[:2000], timezone.now()
        demande.save(update_fields=["status", "error", "finished_at"])
        return demande
    demande.status, demande.progress, demande.fichier = Status.DONE, 100, stocke
    demande.finished_at = timezone.now()
    demande.save(update_fields=["status", "progress", "fichier", "finished_at"])
    return demande


# --- Housekeeping (every night) ----------------------------------------------------------------

CONSERVATION_JOURS = 7  # an export's file is a copy of personal data: kept one week, then deleted
DELAI_INTERRUPTION_HEURES = 6  # a job still pending or running after this never finished
MESSAGE_INTERROMPU = "Export interrompu : le traitement ne s'est pas terminé. Relancez-le."


def menage(maintenant=None):
    """Delete the exports finished more than :data:`CONSERVATION_JOURS` days ago (row and file),
    mark as failed the jobs left pending or running for more than
    :data:`DELAI_INTERRUPTION_HEURES` hours (their worker died and the broker never redelivered
    the task), so that their owner can relaunch them, and delete the files of ``exports/`` that no
    job names and older than that delay (left by a worker killed while storing them). Works on the
    storage, so it sees the files of every machine. Idempotent. Returns the three counts."""
    maintenant = maintenant or timezone.now()
    anciennes = ExportDemande.objects.filter(
        status__in=(Status.DONE, Status.FAILED),
        finished_at__lt=maintenant - timezone.timedelta(days=CONSERVATION_JOURS),
    )
    supprimees = 0
    for demande in anciennes.only("pk", "fichier").iterator():
        delete_quietly(demande.fichier)
        demande.delete()
        supprimees += 1
    limite = maintenant - timezone.timedelta(hours=DELAI_INTERRUPTION_HEURES)
    interrompues = ExportDemande.objects.filter(
        (Q(status=Status.RUNNING) & Q(started_at__lt=limite))
        | (Q(status=Status.PENDING) & Q(created_at__lt=limite))
    ).update(status=Status.FAILED, error=MESSAGE_INTERROMPU, finished_at=maintenant)
    return {"supprimees": supprimees, "interrompues": interrompues, "orphelins": menage_orphelins(limite)}


def menage_orphelins(limite):
    """Delete the files under ``exports/`` in the storage that no job names, last modified before
    ``limite`` (a file younger than that may belong to a job being stored right now)."""
    from django.core.files.storage import default_storage

    connus = set(ExportDemande.objects.exclude(fichier="").values_list("fichier", flat=True))
    orphelins = 0
    for nom in stored_files(EXPORTS_DIR):
        if nom not in connus and default_storage.get_modified_time(nom) < limite:
            delete_quietly(nom)
            orphelins += 1
    return orphelins


def chemin_fichier(demande):
    """``exports/<id>-<slug of the label>.<ext>``, a name in the storage (the id makes it unique)."""
    nom = slugify(demande.libelle)[:80] or demande.kind
    return Path(EXPORTS_DIR) / f"{demande.pk}-{nom}.{EXTENSIONS[demande.kind]}"


def _bilan(demande):
    """The bilan of the export: for one PLIE, the stored version of a closed year (the latest,
    ``reporting.clotures``), else computed; an OI's consolidated bilan over several PLIE is
    computed from today's data (a closure is per PLIE)."""
    from reporting.bilan import bilan_annuel
    from reporting.clotures import rapport_servi
    from reporting.confidentialite import pour_scope
    from reporting.models import Cloture

    plies = list(Structure.objects.plies().filter(pk__in=demande.params["plie_ids"]))
    if len(plies) == 1:
        bilan = rapport_servi(plies[0], Cloture.Rapport.BILAN, f"{demande.params['annee']:04d}")[0]
    else:
        bilan = bilan_annuel(plies, demande.params["annee"])
    # a financeur's file: small counts « < 5 », référents anonymised (reporting.confidentialite)
    return pour_scope(bilan, scope_for(demande.user), [plie.pk for plie in plies])


def produire_bilan_pdf(demande, chemin):
    from reporting.pdf import render_bilan

    _progression(demande.pk, 5)
    bilan = _bilan(demande)
    _progression(demande.pk, 40)
    chemin.write_bytes(render_bilan(bilan))


def produire_bilan_xlsx(demande, chemin):
    from reporting.exports import export_xlsx

    _progression(demande.pk, 5)
    bilan = _bilan(demande)
    _progression(demande.pk, 70)
    chemin.write_bytes(export_xlsx(bilan))


ENTETES_PARTICIPANTS = (
    "PLIE",
    "Nom",
    "Prénom",
    "Sexe",
    "Date de naissance",
    "Adresse",
    "Code postal",
    "Commune",
    "QPV",
    "Téléphone",
    "Courriel",
    "Identifiant France Travail",
    "Statut du dernier parcours",
    "Date d'entrée",
    "Date de sortie",
)
COLONNES_DATES = (4, 13, 14)


def lignes_participants(plie_ids):
    """The rows of the participants list (values only, the latest parcours of each by three
    correlated subqueries on the participant's index), ordered by PLIE then name."""
    from parcours.models import Parcours
    from participants.models import Participant

    dernier = Parcours.objects.filter(participant_id=OuterRef("pk")).order_by("-created_at", "-pk")
    return (
        Participant.objects.filter(plie_id__in=plie_ids)
        .annotate(
            parcours_statut=Subquery(dernier.values("status")[:1]),
            parcours_entree=Subquery(dernier.values("date_entree")[:1]),
            parcours_sortie=Subquery(dernier.values("date_sortie")[:1]),
        )
        .order_by("plie__code", "nom", "prenom", "pk")
        .values_list(
            "plie__code",
            "nom",
            "prenom",
            "sexe",
            "date_naissance",
            "adresse",
            "code_postal",
            "commune",
            "qpv",
            "telephone",
            "email",
            "identifiant_france_travail",
            "parcours_statut",
            "parcours_entree",
            "parcours_sortie",
        )
    )


def produire_participants_xlsx(demande, chemin):
    """A write-only workbook fed row by row from a server-side cursor (``iterator``): memory stays
    flat whatever the number of participants. Progress every percent."""
    from openpyxl.styles import Font

    from parcours.enums import StatutParcours
    from participants.enums import Sexe
    from participants.models import Participant
    from plie.core import journal
    from plie.core.enums import JournalAction
    from plie.core.writers import XlsxWriter

    plie_ids = demande.params["plie_ids"]
    lignes = lignes_participants(plie_ids)
    total = lignes.count()
    journal.record(
        scope_for(demande.user),
        None,
        JournalAction.EXPORT,
        Participant.objects.filter(plie_id__in=plie_ids),
        objet=f"export des participants (XLSX) n° {demande.pk}",
    )
    sexes, statuts = dict(Sexe.choices), dict(StatutParcours.choices)
    oui_non = {True: "Oui", False: "Non", None: ""}

    writer = XlsxWriter(write_only=True)
    sheet = writer.sheet("Participants")
    sheet.freeze_panes = "A2"
    writer.append(sheet, ENTETES_PARTICIPANTS, font=Font(bold=True))

    for fait, ligne in enumerate(lignes.iterator(chunk_size=CHUNK_SIZE), start=1):
        ligne = list(ligne)
        ligne[3] = sexes.get(ligne[3], ligne[3])
        ligne[8] = oui_non[ligne[8]]
        ligne[12] = statuts.get(ligne[12], ligne[12] or "")
        for index in COLONNES_DATES:
            if ligne[index] is not None:
                ligne[index] = writer.cell(sheet, ligne[index], number_format="dd/mm/yyyy")
        writer.append(sheet, ligne)
        if total and fait * 100 // total != (fait - 1) * 100 // total:
            _progression(demande.pk, min(95, fait * 100 // total))
    writer.save(chemin)


PRODUCTEURS = {
    Kind.BILAN_PDF: produire_bilan_pdf,
    Kind.BILAN_XLSX: produire_bilan_xlsx,
    Kind.PARTICIPANTS_XLSX: produire_participants_xlsx,
}
