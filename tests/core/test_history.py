import datetime

from django.urls import reverse

from participants.models import Participant
from tests.factories import ParticipantFactory, UserFactory


def test_participant_changes_keep_before_and_after(world):
    participant = ParticipantFactory(plie=world.plie_a, nom="Martin")
    participant.nom = "Martin-Durand"
    participant.save()
    latest, first = participant.history.all()[:2]
    delta = latest.diff_against(first)
    assert [(c.field, c.old, c.new) for c in delta.changes] == [("nom", "Martin", "Martin-Durand")]
    assert first.history_type == "+"
    assert latest.history_type == "~"


def test_the_author_of_a_change_is_recorded(client, world):
    participant = ParticipantFactory(plie=world.plie_a, nom="Martin", prenom="Léa")
    admin = UserFactory(is_staff=True, is_superuser=True)
    client.force_login(admin)
    url = reverse("admin:participants_participant_change", args=[participant.pk])
    data = {
        "plie": world.plie_a.pk,
        "nom": "Martin",
        "prenom": "Léa",
        "nom_naissance": "Bernard",
        "sexe": "F",
        "date_naissance": "14/03/1985",
    }
    response = client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].errors
    record = Participant.history.filter(id=participant.pk).latest("history_date")
    assert record.history_user == admin
    assert record.nom_naissance == "Bernard"
    assert record.date_naissance == datetime.date(1985, 3, 14)


def test_user_history_never_stores_the_password(world):
    user = world.referent_a
    user.set_password("un-autre-mot-de-passe")
    user.first_name = "Zoé"
    user.save()
    assert not hasattr(user.history.latest(), "password")
    assert user.history.latest().first_name == "Zoé"


def test_membership_changes_are_kept(world):
    membership = world.referent_a.memberships.get()
    membership.is_active = False
    membership.save()
    assert [h.is_active for h in membership.history.order_by("history_date")] == [True, False]
