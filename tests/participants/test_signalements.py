"""Duplicates across PLIE: the référent learns only « a dossier may exist elsewhere in the OI, ask
the animation »; once saved anyway, the match is flagged for the animation of either PLIE, who
compares the two identities and decides. Nobody else reads the other side."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from pytest_django.asserts import assertContains, assertNotContains

from participants import services
from participants.models import Participant, SignalementDoublon
from participants.permissions import can_review_doublon
from plie.core.enums import Role
from plie.core.scoping import scope_for
from tests.factories import MembershipFactory, ParticipantFactory, UserFactory
from tests.participants.test_views import identity
from tests.permissions_table import PERSONAS, allowed_by, check_table

D = datetime.date
LISTE = reverse("participants:doublon_list")


@pytest.fixture
def ailleurs(world):
    """Hélène Lefèvre followed in PLIE B (same OI as A)."""
    return ParticipantFactory(plie=world.plie_b, nom="Lefèvre", prenom="Hélène", date_naissance=D(1979, 4, 2))


def creer_quand_meme(client, world):
    data = {"plie": world.plie_a.pk, **identity(nom="Lefevre", prenom="Helene", date_naissance="02/04/1979")}
    client.force_login(world.referent_a)
    warning = client.post(reverse("participants:participant_create"), data)
    created = client.post(reverse("participants:participant_create"), {**data, "pas_un_doublon": "on"})
    return warning, created


def test_the_referent_is_told_to_ask_the_animation_and_a_flag_is_kept(client, world, ailleurs):
    warning, created = creer_quand_meme(client, world)
    assertContains(warning, "Un dossier existe peut-être ailleurs dans l'OI : demandez à l'animation")
    for secret in ("PLIE B", "LEFÈVRE", "Hélène"):
        assertNotContains(warning, secret)
    assert created.status_code == 302
    signalement = SignalementDoublon.objects.get()
    mine = Participant.objects.get(plie=world.plie_a)
    assert (signalement.participant, signalement.autre, signalement.created_by) == (
        mine,
        ailleurs,
        world.referent_a,
    )
    assert signalement.statut == SignalementDoublon.Statut.A_EXAMINER


def test_a_duplicate_in_the_same_plie_is_not_flagged(client, world):
    ParticipantFactory(plie=world.plie_a, nom="Lefèvre", prenom="Hélène", date_naissance=D(1979, 4, 2))
    creer_quand_meme(client, world)
    assert not SignalementDoublon.objects.exists()


@pytest.fixture
def signalement(world, ailleurs):
    mine = ParticipantFactory(plie=world.plie_a, nom="Lefevre", prenom="Helene", date_naissance=D(1979, 4, 2))
    return SignalementDoublon.objects.create(participant=mine, autre=ailleurs, created_by=world.referent_a)


def test_the_animation_of_either_plie_reviews(client, world, signalement):
    animation_b = UserFactory()
    MembershipFactory(user=animation_b, structure=world.plie_b, role=Role.ANIMATION)
    for user in (world.animateur_a, animation_b):
        client.force_login(user)
        page = client.get(LISTE)
        assertContains(page, "LEFEVRE Helene, 02/04/1979 (PLIE A)")
        assertContains(page, "LEFÈVRE Hélène, 02/04/1979 (PLIE B)")
    response = client.post(LISTE, {"signalement": signalement.pk, "statut": "meme_personne"}, follow=True)
    assertContains(response, "Même personne")
    signalement.refresh_from_db()
    assert (signalement.statut, signalement.examine_par) == ("meme_personne", animation_b)


@pytest.mark.parametrize(
    "persona", ["referent_a", "gestionnaire_a", "direction_a", "referent_b", "financeur", "oi_user"]
)
def test_no_one_else_reads_the_flags(client, world, signalement, persona):
    client.force_login(getattr(world, persona))
    response = client.get(LISTE)
    assert response.status_code in (403, 404) or "Lefèvre" not in response.content.decode()
    assert client.post(LISTE, {"signalement": signalement.pk, "statut": "meme_personne"}).status_code == 404
    signalement.refresh_from_db()
    assert signalement.statut == SignalementDoublon.Statut.A_EXAMINER
    with pytest.raises(PermissionDenied):
        services.doublon_examiner(
            scope=scope_for(getattr(world, persona)), signalement=signalement, statut="meme_personne"
        )


def test_the_permission_table(world, signalement):
    from participants import permissions

    rows = [("can_review_doublon", lambda w: signalement, allowed_by("animateur_a"))]
    for persona in PERSONAS:
        assert check_table(world, permissions, rows, persona) == []
    assert can_review_doublon(scope_for(world.animateur_a), signalement)
