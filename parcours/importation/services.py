"""Writing a validated file: everything in one transaction, by bulk inserts and updates.

On PostgreSQL the new rows go by lots of :data:`LOT` through ``COPY``
(:mod:`parcours.importation.copie`), written by a second thread on the same connection while
the next lot is prepared (:class:`~parcours.importation.copie.Ecrivain`); a failure of either
rolls the whole transaction back.

What the per-row services would set is set here directly (the per-row services would take
minutes for 100,000 rows):

- a **Participant** per legacy ``identifiant`` (kept in ``identifiant_externe``), its identity
  from its latest row; ``qpv`` on the participant;
- a **Parcours** per row: « sorti » with its exit date, else « en parcours »; the référent, the
  prescripteur (a structure matched by name among the prescripteurs, or created and made a
  partner of the PLIE);
- an **AffectationReferent** from the entry (to the exit) when a référent is named;
- a **Sortie** validated on its exit date (imported exits are taken as validated);
- a **SituationEntree** at the entry date carrying DELD / BRSA / TH / niveau
  (:func:`parcours.importation.regles.faits_situation`), which is what the bilan reads.

Idempotent on (identifiant, date_entree): a row whose parcours exists and did not change writes
nothing; a changed one is updated (with its history row); new ones are added."""

import logging
from dataclasses import dataclass, field
from itertools import islice

from django.db import transaction
from django.utils import timezone
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from parcours.enums import StatutParcours
from parcours.importation import copie, regles
from parcours.importation.validation import Snapshot, charger_existant, valider
from participants.normalize import fold
from plie.core import journal
from plie.core.enums import JournalAction
from plie.core.models import Structure

logger = logging.getLogger(__name__)
BATCH_SIZE = 2000  # rows per bulk_create / bulk_update statement (SQLite, updates)
LOT = 10000  # new rows written per COPY (PostgreSQL): few statements, memory still flat
CHANGE_REASON = "Import de l'ancien outil"
ACTIFS = (StatutParcours.EN_PARCOURS, StatutParcours.SUSPENDU, StatutParcours.EN_SUIVI_EMPLOI)


@dataclass
class Compteurs:
    lignes: int = 0
    participants_crees: int = 0
    participants_modifies: int = 0
    parcours_crees: int = 0
    parcours_modifies: int = 0
    parcours_inchanges: int = 0
    sorties: int = 0
    prescripteurs_crees: int = 0
    extra: dict = field(default_factory=dict)

    def as_dict(self):
        return {k: v for k, v in self.__dict__.items() if k != "extra"}


def _batches(objs, size=BATCH_SIZE):
    it = iter(objs)
    while batch := list(islice(it, size)):
        yield batch


def _create(model, objs, user, ecrivain=None):
    """Bulk insert with history rows when the model keeps one; returns the saved objects
    (``COPY`` on PostgreSQL, queued on ``ecrivain``: :mod:`parcours.importation.copie`)."""
    copied = True
    for lot in _batches(objs, LOT):
        copied = copie.copy_insert(
            model,
            lot,
            user_id=user.pk if user else None,
            reason=CHANGE_REASON,
            now=timezone.now(),
            ecrivain=ecrivain,
        )
        if not copied:
            break
    if copied:
        return objs
    saved = []
    for batch in _batches(objs):
        if hasattr(model, "history"):
            saved.extend(
                bulk_create_with_history(
                    batch,
                    model,
                    batch_size=BATCH_SIZE,
                    default_user=user,
                    default_change_reason=CHANGE_REASON,
                )
            )
        else:
            saved.extend(model.objects.bulk_create(batch, batch_size=BATCH_SIZE))
    return saved


def _update_from(model, snapshots, fields, user, after=None):
    """Update the rows of ``snapshots`` (:class:`~parcours.importation.validation.Snapshot` with
    the new values of ``fields``): loaded as instances by batches, for their history rows."""
    attnames = [model._meta.get_field(name).attname for name in fields]
    for batch in _batches(snapshots):
        instances = model.objects.in_bulk([s.pk for s in batch])
        objs = []
        for snapshot in batch:
            obj = instances[snapshot.pk]
            for attname in attnames:
                if attname in snapshot.__dict__:
                    setattr(obj, attname, snapshot.__dict__[attname])
            if after:
                after(obj)
            objs.append(obj)
        _update(model, objs, fields, user)


def _update(model, objs, fields, user):
    for batch in _batches(objs):
        bulk_update_with_history(
            batch,
            model,
            fields,
            batch_size=BATCH_SIZE,
            default_user=user,
            default_change_reason=CHANGE_REASON,
        )


def _prescripteurs(plie, noms, compteurs):
    """``{folded name: structure id}`` for the prescripteurs named in the file: matched by name
    (accents and case ignored) among the prescripteurs, else created; all made partners of the PLIE."""
    from plie.core.enums import StructureKind
    from plie.core.models import Structure

    if not noms:
        return {}
    wanted = {fold(nom): nom for nom in noms}
    found = {}
    for structure in Structure.objects.filter(kind=StructureKind.PRESCRIPTEUR).order_by("pk"):
        found.setdefault(fold(structure.nom), structure.pk)
    missing = [
        Structure(kind=StructureKind.PRESCRIPTEUR, nom=nom) for key, nom in wanted.items() if key not in found
    ]
    for structure in Structure.objects.bulk_create(missing):
        if structure.pk is None:  # backends that do not return ids
            structure.pk = (
                Structure.objects.filter(kind=StructureKind.PRESCRIPTEUR, nom=structure.nom).latest("pk").pk
            )
        found[fold(structure.nom)] = structure.pk
    compteurs.prescripteurs_crees = len(missing)
    ids = {key: found[key] for key in wanted}
    through = Structure.plies.through
    through.objects.bulk_create(
        [through(from_structure_id=pk, to_structure_id=plie.pk) for pk in set(ids.values())],
        ignore_conflicts=True,
    )
    return ids


def _faits(ligne):
    return regles.faits_situation(deld=ligne.deld, brsa=ligne.brsa, th=ligne.th, niveau=ligne.niveau)


def _participants(plie, resultat, user, compteurs, ecrivain):
    """Create or update one participant per identifiant; returns ``{identifiant: participant_id}``."""
    from participants.models import Participant

    dernieres = {}
    for ligne in resultat.lignes:  # identity from the latest parcours of the person
        current = dernieres.get(ligne.identifiant)
        if current is None or ligne.date_entree > current.date_entree:
            dernieres[ligne.identifiant] = ligne
    existants = resultat.existant.participants
    ids = {p.identifiant_externe: p.pk for p in existants.values()}
    nouveaux, modifies = [], []
    crees = 0

    def flush():  # new participants are inserted by batches: memory stays flat
        nonlocal nouveaux, crees
        _create(Participant, nouveaux, user, ecrivain)
        ids.update((p.identifiant_externe, p.pk) for p in nouveaux)
        crees += len(nouveaux)
        nouveaux = []

    fields = ("nom", "prenom", "sexe", "date_naissance", "code_postal", "qpv")
    now = timezone.now()
    make_participant = copie.maker(Participant)
    for identifiant, ligne in dernieres.items():
        participant = existants.get(identifiant)
        values = {
            "nom": ligne.nom,
            "prenom": ligne.prenom,
            "sexe": ligne.sexe,
            "date_naissance": ligne.date_naissance,
            "code_postal": ligne.code_postal,
            "qpv": ligne.qpv,
        }
        if participant is None:
            participant = make_participant(
                plie=plie,
                identifiant_externe=identifiant,
                created_by=user,
                search_text=fold(f"{ligne.nom} {ligne.prenom} "),  # as Participant.refresh_search_fields
                **values,
            )
            nouveaux.append(participant)
            if len(nouveaux) >= LOT:
                flush()
        elif any(getattr(participant, k) != v for k, v in values.items()):
            for k, v in values.items():
                setattr(participant, k, v)
            participant.updated_at = now
            modifies.append(participant)
    flush()
    if modifies:
        ecrivain.attendre()  # the changes are written on the connection itself
    _update_from(
        Participant,
        modifies,
        [*fields, "search_text", "updated_at"],
        user,
        after=lambda obj: obj.refresh_search_fields(),
    )
    compteurs.participants_crees, compteurs.participants_modifies = crees, len(modifies)
    return ids


def _journal(plie, participant_ids, user, ecrivain):
    """The rows are written by COPY (no history signal): the access journal gets one row per
    person of the file (:func:`plie.core.journal.record`, on the connection itself once the
    queued lots are written)."""
    ecrivain.attendre()
    journal.record(
        None,
        None,
        JournalAction.MODIFICATION,
        [(participant_id, plie.pk) for participant_id in participant_ids],
        objet="import de parcours",
        user=user,
    )


def ecrire(plie, resultat, *, user=None, today=None, progress=None):
    """Write the validated rows of ``resultat`` for ``plie`` (call inside a transaction)."""
    today = today or timezone.localdate()
    with copie.Ecrivain() as ecrivain:  # the server writes a lot while the next one is prepared
        compteurs = _ecrire(plie, resultat, user, today, progress, ecrivain)
    return compteurs


def _ecrire(plie, resultat, user, today, progress, ecrivain):
    from parcours.models import AffectationReferent, Parcours, Sortie
    from participants.models import SituationEntree

    compteurs = Compteurs(lignes=resultat.nb_lignes)
    prescripteurs = _prescripteurs(
        plie, {lg.prescripteur for lg in resultat.lignes if lg.prescripteur}, compteurs
    )
    participant_ids = _participants(plie, resultat, user, compteurs, ecrivain)
    # the structure of each name as written (folded once per name, not once per row)
    noms = {ligne.prescripteur for ligne in resultat.lignes}
    prescripteurs = {nom: prescripteurs.get(fold(nom)) if nom else None for nom in noms}
    _journal(plie, participant_ids.values(), user, ecrivain)
    if progress:
        progress("participants")

    existants = resultat.existant.parcours
    situations = {}
    if existants:
        ecrivain.attendre()  # read on the connection itself
        faits_fields = list(regles.faits_situation(deld=None, brsa=None, th=None, niveau=""))
        situations = {
            (row["participant_id"], row["date_entree"]): Snapshot(row)
            for row in SituationEntree.objects.filter(participant__plie=plie)
            .exclude(participant__identifiant_externe="")
            .values("id", "participant_id", "date_entree", *faits_fields)
            .iterator()
        }
    make_parcours, make_affectation = copie.maker(Parcours), copie.maker(AffectationReferent)
    make_situation, make_sortie = copie.maker(SituationEntree), copie.maker(Sortie)
    for lot in _batches(resultat.lignes, LOT):  # by batches: memory stays flat
        nouveaux, plans = [], []  # plans: (ligne, parcours) for the new parcours
        modifies, affectations_a_fermer, affectations = [], [], []
        sorties_new, sorties_upd, sorties_del = [], [], []
        situations_new, situations_upd = [], []
        now = timezone.now()
        for ligne in lot:
            participant_id = participant_ids[ligne.identifiant]
            prescripteur_id = prescripteurs[ligne.prescripteur]
            parcours = existants.get((participant_id, ligne.date_entree))
            if parcours is None:
                parcours = make_parcours(
                    participant_id=participant_id,
                    plie=plie,
                    status=StatutParcours.SORTI if ligne.date_sortie else StatutParcours.EN_PARCOURS,
                    referent_id=ligne.referent_id,
                    prescripteur_id=prescripteur_id,
                    date_entree=ligne.date_entree,
                    date_sortie=ligne.date_sortie,
                    created_by=user,
                )
                nouveaux.append(parcours)
                plans.append((ligne, parcours))
            else:
                changed = False
                if ligne.date_sortie:
                    status = StatutParcours.SORTI
                else:
                    status = parcours.status if parcours.status in ACTIFS else StatutParcours.EN_PARCOURS
                if parcours.referent_id != ligne.referent_id:
                    debut = max(ligne.date_entree, min(today, ligne.date_sortie or today))
                    affectations_a_fermer.append((parcours.pk, debut))
                    if ligne.referent_id:
                        affectations.append(
                            make_affectation(
                                parcours_id=parcours.pk,
                                referent_id=ligne.referent_id,
                                date_debut=debut,
                                date_fin=ligne.date_sortie,
                                motif=CHANGE_REASON,
                                created_by=user,
                            )
                        )
                for name, value in (
                    ("status", status),
                    ("referent_id", ligne.referent_id),
                    ("prescripteur_id", prescripteur_id),
                    ("date_sortie", ligne.date_sortie),
                ):
                    if getattr(parcours, name) != value:
                        setattr(parcours, name, value)
                        changed = True
                sortie = getattr(parcours, "sortie", None)
                if ligne.type_sortie_id is None and sortie is not None:
                    sorties_del.append(sortie.pk)
                    changed = True
                elif ligne.type_sortie_id is not None and sortie is None:
                    sorties_new.append(_sortie(parcours.pk, ligne, user, make_sortie))
                    changed = True
                elif sortie is not None and (
                    sortie.type_id != ligne.type_sortie_id
                    or sortie.date_sortie != ligne.date_sortie
                    or not sortie.validee
                ):
                    sortie.type_id, sortie.date_sortie = ligne.type_sortie_id, ligne.date_sortie
                    sortie.validee, sortie.date_validation = True, ligne.date_sortie
                    sorties_upd.append(sortie)
                    changed = True
                situation = situations.get((participant_id, ligne.date_entree))
                if situation is None:
                    situations_new.append(
                        make_situation(
                            participant_id=participant_id,
                            date_entree=ligne.date_entree,
                            **_faits(ligne),
                        )
                    )
                    changed = True
                else:
                    faits = {k: v for k, v in _faits(ligne).items() if v is not None and v != ""}
                    if any(getattr(situation, k) != v for k, v in faits.items()):
                        for k, v in faits.items():
                            setattr(situation, k, v)
                        situation.updated_at = now
                        situations_upd.append(situation)
                        changed = True
                if changed:
                    parcours.updated_at = now
                    modifies.append(parcours)
                else:
                    compteurs.parcours_inchanges += 1

        _create(Parcours, nouveaux, user, ecrivain)
        if progress:
            progress("parcours")
        if modifies or affectations_a_fermer or sorties_del or sorties_upd or situations_upd:
            ecrivain.attendre()  # the changes are written on the connection itself, in order
        _update_from(
            Parcours,
            modifies,
            ["status", "referent", "prescripteur", "date_sortie", "updated_at", "version"],
            user,
            after=_next_version,
        )
        for parcours_id, fin in affectations_a_fermer:  # a référent changed: rare, one query each
            AffectationReferent.objects.filter(parcours_id=parcours_id, date_fin__isnull=True).update(
                date_fin=fin
            )
        if sorties_del:
            Sortie.objects.filter(pk__in=sorties_del).delete()
        _update_from(Sortie, sorties_upd, ["type", "date_sortie", "validee", "date_validation"], user)
        _update_from(
            SituationEntree,
            situations_upd,
            [*regles.faits_situation(deld=None, brsa=None, th=None, niveau=""), "updated_at"],
            user,
        )
        for ligne, parcours in plans:
            if ligne.referent_id:
                affectations.append(
                    make_affectation(
                        parcours_id=parcours.pk,
                        referent_id=ligne.referent_id,
                        date_debut=ligne.date_entree,
                        date_fin=ligne.date_sortie,
                        motif=CHANGE_REASON,
                        created_by=user,
                    )
                )
            if ligne.type_sortie_id:
                sorties_new.append(_sortie(parcours.pk, ligne, user, make_sortie))
            situations_new.append(
                make_situation(
                    participant_id=parcours.participant_id,
                    date_entree=ligne.date_entree,
                    **_faits(ligne),
                )
            )
        # the new rows after the changes (an affectation closed above is not the new one)
        _create(AffectationReferent, affectations, user, ecrivain)
        _create(Sortie, sorties_new, user, ecrivain)
        _create(SituationEntree, situations_new, user, ecrivain)
        compteurs.parcours_crees += len(nouveaux)
        compteurs.parcours_modifies += len(modifies)
        compteurs.sorties += len(sorties_new)
    return compteurs


def _next_version(parcours):
    parcours.version += 1  # the optimistic lock of parcours.services: a form opened before is stale


def _sortie(parcours_id, ligne, user, make=None):
    from parcours.models import Sortie

    return (make or copie.maker(Sortie))(
        parcours_id=parcours_id,
        type_id=ligne.type_sortie_id,
        date_sortie=ligne.date_sortie,
        validee=True,
        date_validation=ligne.date_sortie,
        validee_par=user,
        commentaire=CHANGE_REASON,
    )


def importer(binary, filename, plie, *, user=None, dry_run=False, today=None, progress=None):
    """Validate the whole file, then (unless ``dry_run`` or any error) write it in one
    transaction. Returns ``(resultat, compteurs or None)``."""
    before = _empreinte(plie)
    resultat = valider(binary, filename, plie, today=today, progress=progress)
    if not resultat.valide or dry_run:
        return resultat, None
    if progress:
        progress("ecriture")
    with transaction.atomic():
        # One import at a time per PLIE (NO KEY UPDATE: the PLIE's other writes are not blocked);
        # if another one wrote since the validation, what exists is read again.
        Structure.objects.select_for_update(no_key=True).filter(pk=plie.pk).first()
        if _empreinte(plie) != before:
            resultat.existant = charger_existant(plie)
        compteurs = ecrire(plie, resultat, user=user, today=today, progress=progress)
    return resultat, compteurs


def _empreinte(plie):
    """Changes when participants or parcours are added to ``plie`` (2 cheap aggregate queries)."""
    from django.db.models import Count, Max

    from parcours.models import Parcours
    from participants.models import Participant

    return (
        Participant.objects.filter(plie=plie).aggregate(n=Count("id"), m=Max("id")),
        Parcours.objects.filter(plie=plie).aggregate(n=Count("id"), m=Max("id")),
    )


def rapport_csv_lignes(erreurs, doublons=()):
    """The rows of the downloadable error report (header first)."""
    yield ["ligne", "colonne", "valeur", "erreur"]
    for erreur in erreurs:
        values = erreur.as_list() if hasattr(erreur, "as_list") else erreur
        yield ["" if v is None else v for v in values]
    for ligne, identifiant, message in doublons:
        yield [ligne, "identifiant", identifiant, f"Doublon probable (signalé, non bloquant) : {message}"]


def import_job_run(job_id):
    """Run the import of the job row ``job_id`` (the upload page's Celery task): the status and
    progress are saved as it goes (validation, then writing), then the counts or the errors."""
    from parcours.models import ImportParcours

    Status = ImportParcours.Status
    job = ImportParcours.objects.select_related("plie", "created_by").get(pk=job_id)
    if not job.en_cours:  # finished; a job cut short by a lost worker runs again (its writes were
        return job.status  # rolled back, or committed and then unchanged by an idempotent re-import)
    total = None

    def progress(step):
        if isinstance(step, int):
            percent = min(79, int(80 * step / total)) if total else 40
            ImportParcours.objects.filter(pk=job.pk).update(progress=percent, lignes=step)
        elif step == "ecriture":
            ImportParcours.objects.filter(pk=job.pk).update(status=Status.IMPORT, progress=80)

    ImportParcours.objects.filter(pk=job.pk).update(status=Status.VALIDATION, started_at=timezone.now())
    try:
        with job.fichier.open("rb") as binary:
            from parcours.importation.lecture import FichierInvalide, compter_lignes

            try:
                total = compter_lignes(binary, job.nom_original)
            except FichierInvalide:
                total = None
            resultat, compteurs = importer(
                binary,
                job.nom_original,
                job.plie,
                user=job.created_by,
                dry_run=job.dry_run,
                progress=progress,
            )
    except Exception as exc:  # a technical failure: logged, and recorded on the job for the page
        logger.exception("Import de parcours %s en échec", job.pk)
        ImportParcours.objects.filter(pk=job.pk).update(
            status=Status.ECHEC,
            finished_at=timezone.now(),
            message=f"Échec technique ({exc.__class__.__name__}) : rien n'a été importé.",
        )
        return Status.ECHEC
    job.lignes = resultat.nb_lignes
    job.erreurs = [e.as_list() for e in resultat.erreurs]
    job.nb_erreurs = resultat.nb_erreurs
    job.doublons = resultat.doublons
    job.finished_at = timezone.now()
    job.progress = 100
    if not resultat.valide:
        job.status = Status.REJETE
        job.message = f"{resultat.nb_erreurs} erreur(s) : rien n'a été importé."
    elif compteurs is None:
        job.status = Status.TERMINE
        job.message = (
            f"Fichier valide ({resultat.nb_lignes} ligne(s)) : vérification seulement, rien n'a été importé."
        )
    else:
        job.status = Status.TERMINE
        job.compteurs = compteurs.as_dict()
        job.message = "Import terminé."
    job.save(
        update_fields=[
            "lignes",
            "erreurs",
            "nb_erreurs",
            "doublons",
            "finished_at",
            "progress",
            "status",
            "message",
            "compteurs",
        ]
    )
    return job.status
