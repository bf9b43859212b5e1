"""The access journal (``plie.core.journal``): append-only, one insert per read, one bulk insert
per list, never the content, changes journaled when their transaction commits, pruned by date."""

import datetime

import pytest
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from operations.models import Inscription
from participants import services as participant_services
from plie.core import journal
from plie.core.enums import JournalAction
from plie.core.models import AccessLog
from plie.core.scoping import Scope, scope_for
from tests.factories import DocumentFactory, FreinFactory, ParticipantFactory
from tests.operations.factories import InscriptionFactory, OperationFactory
from tests.parcours.factories import EntretienFactory, ParcoursFactory


def test_an_entry_cannot_be_changed_nor_deleted(world):
    journal.record(scope_for(world.referent_a), None, JournalAction.CONSULTATION, [ParticipantFactory()])
    entry = AccessLog.objects.get()
    entry.objet = "autre chose"
    with pytest.raises(PermissionError):
        entry.save()
    with pytest.raises(PermissionError):
        entry.delete()
    with pytest.raises(PermissionError):
        AccessLog.objects.update(objet="x")
    with pytest.raises(PermissionError):
        AccessLog.objects.all().delete()
    assert AccessLog.objects.get().objet == ""


def test_a_list_read_is_one_insert_of_one_row_per_person(world, django_assert_num_queries):
    people = ParticipantFactory.create_batch(3, plie=world.plie_a)
    scope = scope_for(world.gestionnaire_a)
    with django_assert_num_queries(1):  # the bulk insert
        assert journal.record(scope, None, JournalAction.EXPORT, people, objet="export") == 3
    rows = AccessLog.objects.order_by("participant_id")
    assert [row.participant_id for row in rows] == sorted(p.pk for p in people)
    assert {(row.plie_id, row.user_id, row.acteur) for row in rows} == {
        (world.plie_a.pk, world.gestionnaire_a.pk, "gestion.a@exemple.fr")
    }


def test_a_system_scope_is_named_by_its_label(world):
    scope = Scope.system(world.plie_a.pk, label="tâches nocturnes")
    journal.record(scope, None, JournalAction.ANONYMISATION, [(12, world.plie_a.pk)])
    row = AccessLog.objects.get()
    assert (row.user_id, row.acteur, row.participant_id) == (None, "tâches nocturnes", 12)


def test_the_dossier_page_journals_who_read_whom_and_from_where(client, world):
    participant = ParticipantFactory(plie=world.plie_a, nom="Lefèvre")
    client.force_login(world.referent_a)
    client.get(reverse("participants:participant_detail", args=[participant.pk]), REMOTE_ADDR="192.0.2.7")
    row = AccessLog.objects.get()
    assert (row.action, row.participant_id, row.plie_id, row.user_id, row.ip) == (
        JournalAction.CONSULTATION,
        participant.pk,
        world.plie_a.pk,
        world.referent_a.pk,
        "192.0.2.7",
    )


def test_a_refused_read_journals_nothing(client, world):
    participant = ParticipantFactory(plie=world.plie_a)
    client.force_login(world.referent_b)
    response = client.get(reverse("participants:participant_detail", args=[participant.pk]))
    assert response.status_code == 404
    assert not AccessLog.objects.exists()


def test_a_search_keeps_the_count_never_the_query(client, world):
    ParticipantFactory(plie=world.plie_a, nom="Lefèvre")
    ParticipantFactory(plie=world.plie_a, nom="Lefebvre")
    client.force_login(world.referent_a)
    # the search is POSTed and kept in the session (never in a URL), then the list is shown
    client.post(reverse("participants:participant_list"), {"q": "lefebvre"}, follow=True)
    row = AccessLog.objects.get()
    assert (row.action, row.nombre, row.participant_id, row.plie_id) == (
        JournalAction.RECHERCHE,
        2,
        None,
        world.plie_a.pk,
    )
    assert "lefe" not in " ".join(str(v) for v in vars(row).values()).lower()
    # the search cleared: the list without a search journals nothing
    client.post(reverse("participants:participant_list"), {"q": ""}, follow=True)
    assert AccessLog.objects.count() == 1


def test_the_fiche_and_a_document_are_journaled(client, world):
    document = DocumentFactory(participant__plie=world.plie_a, nom_original="cni-lefevre.pdf")
    client.force_login(world.referent_a)
    client.get(reverse("participants:fiche_pdf", args=[document.participant_id]))
    response = client.get(reverse("participants:document_download", args=[document.pk]))
    b"".join(response.streaming_content)  # closes the file
    rows = {row.action: row for row in AccessLog.objects.all()}
    assert set(rows) == {JournalAction.FICHE_PDF, JournalAction.DOCUMENT}
    assert rows[JournalAction.DOCUMENT].objet == f"document {document.pk}"  # never the file name
    assert {row.participant_id for row in rows.values()} == {document.participant_id}


def test_an_export_with_names_journals_each_person_once(client, world):
    operation = OperationFactory(plie=world.plie_a)
    first, second = (InscriptionFactory(operation=operation, complete=True) for _ in range(2))
    client.force_login(world.gestionnaire_a)
    response = client.get(reverse("operations:export_xlsx", args=[operation.pk]))
    assert response.status_code == 200
    rows = AccessLog.objects.filter(action=JournalAction.EXPORT)
    assert sorted(rows.values_list("participant_id", flat=True)) == sorted(
        [first.participant_id, second.participant_id]
    )
    assert {row.objet for row in rows} == {f"export MDFSE (XLSX) opération {operation.pk}"}
    assert Inscription.objects.count() == 2


def test_changes_are_journaled_in_one_insert_when_the_transaction_commits(
    world, django_capture_on_commit_callbacks, django_assert_num_queries
):
    parcours = ParcoursFactory(plie=world.plie_a, participant__plie=world.plie_a)
    entretien = EntretienFactory.build(parcours=parcours)
    with django_capture_on_commit_callbacks() as callbacks, transaction.atomic():
        entretien.save()
        parcours.save()
    assert not AccessLog.objects.exists()  # not before the commit
    with django_assert_num_queries(1):  # one insert for the whole transaction
        for callback in callbacks:
            callback()
    rows = AccessLog.objects.order_by("objet")
    assert [(row.action, row.objet, row.participant_id, row.plie_id) for row in rows] == [
        (JournalAction.CREATION, "entretien", parcours.participant_id, world.plie_a.pk),
        (JournalAction.MODIFICATION, "parcours", parcours.participant_id, world.plie_a.pk),
    ]


def test_a_service_change_is_journaled_with_its_author(world, django_capture_on_commit_callbacks):
    participant = ParticipantFactory(plie=world.plie_a, nom="Avant")
    with django_capture_on_commit_callbacks(execute=True):
        participant_services.participant_update(
            scope=scope_for(world.referent_a), participant=participant, nom="Après", doublons_ecartes=True
        )
    row = AccessLog.objects.get()
    assert (row.action, row.participant_id, row.user_id) == (
        JournalAction.MODIFICATION,
        participant.pk,
        world.referent_a.pk,
    )
    assert "Après" not in row.objet


def test_a_change_rolled_back_is_not_journaled(world, django_capture_on_commit_callbacks):
    participant = ParticipantFactory(plie=world.plie_a)
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        try:
            with transaction.atomic():
                participant.nom = "Annulé"
                participant.save()
                raise RuntimeError
        except RuntimeError:
            pass
        FreinFactory(participant=participant)
    assert list(AccessLog.objects.values_list("objet", flat=True)) == ["frein"]


def test_the_journal_is_pruned_per_plie_after_its_retention(world, settings):
    settings.JOURNAL_RETENTION_DAYS = 30
    now = timezone.now()
    old = now - datetime.timedelta(days=31)
    AccessLog.objects.bulk_create(
        [
            AccessLog(at=old, plie=world.plie_a, action=JournalAction.CONSULTATION),
            AccessLog(at=now, plie=world.plie_a, action=JournalAction.CONSULTATION),
            AccessLog(at=old, plie=world.plie_b, action=JournalAction.CONSULTATION),
        ]
    )
    assert journal.prune(world.plie_a.pk, now) == 1
    assert sorted(AccessLog.objects.values_list("plie_id", "at")) == sorted(
        [(world.plie_a.pk, now), (world.plie_b.pk, old)]
    )


def test_a_legacy_import_journals_each_person_once_in_one_insert(world):
    """The import writes by COPY (no history signal): it journals its people itself."""
    from participants.models import Participant
    from tests.parcours.importation.helpers import csv_bytes, ligne, run

    rows = [ligne(), ligne(identifiant="L002", nom="Benali", prenom="Karim", date_naissance="1985-07-30")]
    run(csv_bytes(rows), world.plie_a, user=world.admin_a)
    entries = AccessLog.objects.filter(objet="import de parcours")
    assert sorted(entries.values_list("participant_id", flat=True)) == sorted(
        Participant.objects.filter(plie=world.plie_a).values_list("pk", flat=True)
    )
    assert {(e.action, e.user_id, e.plie_id) for e in entries} == {
        (JournalAction.MODIFICATION, world.admin_a.pk, world.plie_a.pk)
    }


def test_the_parcours_page_is_a_read_of_the_person(client, world):
    parcours = ParcoursFactory(plie=world.plie_a, participant__plie=world.plie_a, referent=world.referent_a)
    client.force_login(world.referent_a)
    assert client.get(reverse("parcours:parcours_detail", args=[parcours.pk])).status_code == 200
    row = AccessLog.objects.get()
    assert (row.action, row.participant_id, row.objet) == (
        JournalAction.CONSULTATION,
        parcours.participant_id,
        "parcours",
    )


def test_the_commission_agenda_journals_its_people_in_one_insert(client, world):
    from tests.parcours.factories import CommissionFactory

    commission = CommissionFactory(plie=world.plie_a)
    candidats = [ParcoursFactory(plie=world.plie_a, participant__plie=world.plie_a) for _ in range(2)]
    for parcours in candidats:
        commission.decisions.create(parcours=parcours, objet="candidature")
    client.force_login(world.animateur_a)
    response = client.get(reverse("parcours:commission_agenda_pdf", args=[commission.pk]))
    assert response.status_code == 200
    rows = AccessLog.objects.filter(action=JournalAction.EXPORT)
    assert sorted(rows.values_list("participant_id", flat=True)) == sorted(
        p.participant_id for p in candidats
    )
    assert {row.objet for row in rows} == {f"ordre du jour de la commission {commission.pk}"}


def test_a_dossier_opened_in_the_administration_is_journaled(client, world):
    from tests.factories import UserFactory

    superuser = UserFactory(is_superuser=True, is_staff=True)
    participant = ParticipantFactory(plie=world.plie_a)
    client.force_login(superuser)
    response = client.get(reverse("admin:participants_participant_change", args=[participant.pk]))
    assert response.status_code == 200
    row = AccessLog.objects.get()
    assert (row.participant_id, row.user_id, row.objet) == (participant.pk, superuser.pk, "administration")


def test_an_export_of_nobody_journals_nothing(world):
    assert journal.record(scope_for(world.gestionnaire_a), None, JournalAction.EXPORT, []) == 0
    assert not AccessLog.objects.exists()


COLONNES = ("user_id", "acteur", "action", "ip", "objet", "nombre", "plie_id", "participant_id")


def test_record_writes_what_the_orm_would_write_a_batch_per_insert(
    world, rf, monkeypatch, django_assert_num_queries
):
    """record() inserts plain values: each row holds what entries()'s model would hold; more
    people than BATCH_SIZE go in one INSERT per batch, as bulk_create did."""
    people = ParticipantFactory.create_batch(3, plie=world.plie_a)
    scope = scope_for(world.gestionnaire_a)
    request = rf.get("/", REMOTE_ADDR="192.0.2.7")
    request.user = world.gestionnaire_a
    monkeypatch.setattr(journal, "BATCH_SIZE", 2)
    avant = timezone.now()
    with django_assert_num_queries(2):
        assert journal.record(scope, request, JournalAction.EXPORT, people, objet="export", nombre=3) == 3
    attendues = journal.entries(scope, request, JournalAction.EXPORT, people, objet="export", nombre=3)
    lignes = list(AccessLog.objects.order_by("participant_id"))
    assert [tuple(getattr(ligne, c) for c in COLONNES) for ligne in lignes] == sorted(
        (tuple(getattr(attendue, c) for c in COLONNES) for attendue in attendues), key=lambda t: t[-1]
    )
    assert lignes[0].ip == "192.0.2.7" and lignes[0].action == JournalAction.EXPORT
    assert {ligne.at for ligne in lignes} == {lignes[0].at} and avant <= lignes[0].at <= timezone.now()
