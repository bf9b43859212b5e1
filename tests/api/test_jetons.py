"""API tokens (plie/core/tokens.py, plie/core/drf.py): hashed, shown once, scoped to their
user, read-only unless made for writing, revocable, throttled; the tokens page and command."""

import hashlib
from io import StringIO

import pytest
from django.core.cache import cache
from django.core.management import CommandError, call_command
from django.urls import reverse

from plie.core import permissions
from plie.core.models import ApiToken
from plie.core.scoping import scope_for
from plie.core.tokens import Holder, hash_secret, holder_of, token_create, token_for_secret
from tests.permissions_table import PERSONAS, allowed_by, assert_every_predicate_tabled, check_table


def bearer(secret):
    return {"HTTP_AUTHORIZATION": f"Bearer {secret}"}


def make_token(user, ecriture=False, nom="Outil"):
    return token_create(scope=scope_for(user), owner=user, nom=nom, ecriture=ecriture)


@pytest.fixture(autouse=True)
def _clean_cache():
    cache.clear()  # the throttle counters
    yield
    cache.clear()


def test_only_the_hash_is_stored(world):
    token, secret = make_token(world.referent_a)
    token.refresh_from_db()
    assert secret.startswith("plie_") and len(secret) > 40
    assert token.empreinte == hashlib.sha256(secret.encode()).hexdigest() == hash_secret(secret)
    assert secret not in {token.empreinte, token.prefixe, token.nom}
    assert token.prefixe == secret[:12]
    assert token_for_secret(secret) == token
    assert token_for_secret(secret + "x") is None
    assert token_for_secret("nimporte") is None


def test_token_needs_a_name(world):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as error:
        token_create(scope=scope_for(world.referent_a), owner=world.referent_a, nom="  ")
    assert "nom" in error.value.message_dict


def test_token_acts_with_its_users_scope(client, world):
    _, secret = make_token(world.referent_a)
    response = client.get("/api/v1/moi/", **bearer(secret))
    assert response.status_code == 200
    assert response.json()["email"] == "referent.a@exemple.fr"
    assert [p["code"] for p in response.json()["plies"]] == ["plie-a"]
    assert ApiToken.objects.get().last_used_at is not None


@pytest.mark.parametrize(
    ("header", "expected_message"),
    [
        ("Bearer plie_inconnu", "Jeton inconnu ou révoqué."),
        ("Bearer", "En-tête Authorization invalide"),
        (None, "Authentification requise"),
    ],
)
def test_unknown_or_missing_token_is_401_with_the_error_body(client, db, header, expected_message):
    extra = {"HTTP_AUTHORIZATION": header} if header else {}
    response = client.get("/api/v1/moi/", **extra)
    assert response.status_code == 401
    body = response.json()
    assert body["code"] == "non_authentifie"
    assert body["message"].startswith(expected_message)
    assert body["champs"] == {}
    assert response["WWW-Authenticate"].startswith("Bearer")


def test_revoked_token_is_refused(client, world):
    token, secret = make_token(world.referent_a)
    client.force_login(world.referent_a)
    response = client.post(reverse("core:jeton_revoquer", args=[token.pk]))
    assert response.status_code == 302
    client.logout()
    response = client.get("/api/v1/moi/", **bearer(secret))
    assert response.status_code == 401
    assert response.json()["message"] == "Jeton inconnu ou révoqué."


def test_inactive_user_token_is_refused(client, world):
    _, secret = make_token(world.referent_a)
    world.referent_a.is_active = False
    world.referent_a.save()
    assert client.get("/api/v1/moi/", **bearer(secret)).status_code == 401


def test_read_token_refuses_writes(client, world):
    _, read = make_token(world.referent_a)
    _, write = make_token(world.referent_a, ecriture=True, nom="Écriture")
    refused = client.post("/api/v1/moi/", {}, content_type="application/json", **bearer(read))
    assert refused.status_code == 403
    assert refused.json() == {
        "code": "interdit",
        "message": "Ce jeton est en lecture seule : il ne permet pas de modifier des données.",
        "champs": {},
    }
    # the write token passes the token rule (then the endpoint, read-only, says 405)
    allowed = client.post("/api/v1/moi/", {}, content_type="application/json", **bearer(write))
    assert allowed.status_code == 405
    assert allowed.json()["code"] == "methode_non_autorisee"


def test_throttled_per_token_with_retry_after(client, world, settings):
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {"token": "2/min"}}
    _, first = make_token(world.referent_a)
    _, second = make_token(world.referent_a, nom="Autre")
    assert client.get("/api/v1/moi/", **bearer(first)).status_code == 200
    assert client.get("/api/v1/moi/", **bearer(first)).status_code == 200
    response = client.get("/api/v1/moi/", **bearer(first))
    assert response.status_code == 429
    assert int(response["Retry-After"]) > 0
    assert response.json()["code"] == "trop_de_requetes"
    assert response.json()["message"].startswith("Trop de requêtes : réessayez dans")
    # another token of the same user has its own counter
    assert client.get("/api/v1/moi/", **bearer(second)).status_code == 200


def test_token_call_is_not_held_by_the_second_factor(client, world, otp_required):
    _, secret = make_token(world.admin_a)
    client.force_login(world.admin_a)  # a session that has not given its code
    assert client.get("/api/v1/moi/").status_code == 403
    assert client.get("/api/v1/moi/", **bearer(secret)).status_code == 200


def test_command_prints_the_token_once(client, world):
    out, err = StringIO(), StringIO()
    call_command(
        "creer_jeton", "Referent.A@exemple.fr", "--nom", "Outil BI", "--ecriture", stdout=out, stderr=err
    )
    secret = out.getvalue().strip()
    token = ApiToken.objects.get()
    assert token.nom == "Outil BI" and token.ecriture and token.user == world.referent_a
    assert token.empreinte == hash_secret(secret)
    assert "lecture et écriture" in err.getvalue()
    assert client.get("/api/v1/moi/", **bearer(secret)).status_code == 200


def test_command_unknown_email(db):
    with pytest.raises(CommandError, match="Aucun utilisateur"):
        call_command("creer_jeton", "personne@exemple.fr", "--nom", "x", stdout=StringIO(), stderr=StringIO())


def test_page_creates_shows_once_and_lists(client, world):
    client.force_login(world.referent_a)
    response = client.post(reverse("core:jetons"), {"nom": "Tableur", "ecriture": ""}, follow=True)
    assert response.redirect_chain == [(reverse("core:jetons"), 302)]
    secret = response.context["secret"]
    assert secret in response.content.decode()
    token = ApiToken.objects.get()
    assert token.user == world.referent_a and not token.ecriture and token.created_by == world.referent_a
    again = client.get(reverse("core:jetons"))
    assert secret not in again.content.decode()
    assert "Tableur" in again.content.decode()
    assert "jamais" in again.content.decode()


def test_page_refuses_an_empty_name(client, world):
    client.force_login(world.referent_a)
    response = client.post(reverse("core:jetons"), {"nom": ""})
    assert response.status_code == 200
    assert response.context["form"].errors["nom"]
    assert not ApiToken.objects.exists()


def test_administrateur_manages_the_tokens_of_its_plie(client, world):
    own_b, _ = make_token(world.referent_b)
    client.force_login(world.admin_a)
    response = client.post(
        reverse("core:jetons"),
        {"nom": "Pour le référent", "utilisateur": world.referent_a.pk, "ecriture": "on"},
    )
    assert response.status_code == 302
    token = ApiToken.objects.get(user=world.referent_a)
    assert token.ecriture and token.created_by == world.admin_a
    page = client.get(reverse("core:jetons"))
    assert list(page.context["tokens"]) == [token]  # not the token of PLIE B's référent
    assert client.post(reverse("core:jeton_revoquer", args=[token.pk])).status_code == 302
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert client.post(reverse("core:jeton_revoquer", args=[own_b.pk])).status_code == 404
    # a user outside its PLIE is not among the choices
    refused = client.post(reverse("core:jetons"), {"nom": "x", "utilisateur": world.referent_b.pk})
    assert refused.context["form"].errors["utilisateur"]


def test_referent_cannot_make_a_token_for_someone_else(client, world):
    client.force_login(world.referent_a)
    page = client.get(reverse("core:jetons"))
    assert "utilisateur" not in page.context["form"].fields
    other, _ = make_token(world.gestionnaire_a)
    assert client.post(reverse("core:jeton_revoquer", args=[other.pk])).status_code == 404


ROWS = [
    (
        "can_manage_api_token",
        lambda world: holder_of(world.referent_a),
        allowed_by("referent_a", "admin_a"),
    ),
    (
        "can_manage_api_token",
        lambda world: Holder(world.referent_b, frozenset({world.plie_b.pk})),
        allowed_by("referent_b"),
    ),
    # the PLIE's name and logo (plie.core.identite): its own administrateur only
    ("can_change_identite", lambda world: world.plie_a, allowed_by("admin_a")),
    ("can_change_identite", lambda world: world.plie_b, allowed_by()),
]


@pytest.mark.parametrize("persona", PERSONAS)
def test_permissions_table(world, persona):
    assert check_table(world, permissions, ROWS, persona) == []


def test_every_predicate_is_tabled():
    assert_every_predicate_tabled(permissions, ROWS)
