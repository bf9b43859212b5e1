"""The REST API's lists (``/api/v1/``) as a partner tool reads them: a personal token
(``Authorization: Bearer …``), a page of 100 (``?taille=100``) of the whole PLIE for its
gestionnaire (≈ N/K participants, ~40 entretiens and ~4 étapes each), the default page of 50 for
a référent. The query count printed beside each figure does not depend on the size (the cursor
page has no ``COUNT(*)``; nested rows come in one prefetch; pinned in tests/api/test_ressources.py)."""

from bench.registry import benchmark

API_TARGET_MS = 150  # issue 17: every key page p95 < 150 ms at 300,000 participants
PAGE = 100


def api_client(ctx, persona):
    """A ``Client`` sending ``persona``'s personal read token (created once per run: the bench
    database keeps one token per persona, named « banc d'essai »)."""
    cache = ctx.__dict__.setdefault("_api_clients", {})
    if persona not in cache:
        from django.test import Client

        from plie.core.scoping import scope_for
        from plie.core.tokens import token_create

        user = ctx.user(persona)
        _token, secret = token_create(scope=scope_for(user), owner=user, nom="banc d'essai")
        cache[persona] = Client(headers={"Authorization": f"Bearer {secret}"})
    return cache[persona]


def get_page(ctx, persona, path, **params):
    response = api_client(ctx, persona).get(f"/api/v1/{path}/", params)
    assert response.status_code == 200, f"/api/v1/{path}/ en tant que {persona} : {response.status_code}"
    body = response.json()
    assert "resultats" in body, body
    return body


def _register(resource):
    @benchmark(f"api.{resource}.gestionnaire", target_ms=API_TARGET_MS)
    def bench(ctx):
        get_page(ctx, "gestionnaire", resource, taille=PAGE)

    bench.__doc__ = f"GET /api/v1/{resource}/?taille={PAGE} with the gestionnaire's token (the whole PLIE)."
    return bench


for _resource in ("participants", "parcours", "entretiens", "etapes", "inscriptions", "alertes"):
    _register(_resource)


@benchmark("api.participants.referent", target_ms=API_TARGET_MS)
def participants_referent(ctx):
    """GET /api/v1/participants/ (default page of 50) with a référent's token."""
    get_page(ctx, "referent", "participants")


@benchmark("api.parcours.page_suivante", target_ms=API_TARGET_MS)
def parcours_page_suivante(ctx):
    """The second page of /api/v1/parcours/?taille=100 (its cursor link, read once), as a sync does
    (on a dataset of fewer than 100 parcours, the second page of one)."""
    cache = ctx.__dict__.setdefault("_api_next_pages", {})
    if "parcours" not in cache:
        suivant = get_page(ctx, "gestionnaire", "parcours", taille=PAGE)["suivant"]
        cache["parcours"] = suivant or get_page(ctx, "gestionnaire", "parcours", taille=1)["suivant"]
        if not cache["parcours"]:
            raise RuntimeError("Moins de deux parcours visibles : pas de page suivante à mesurer.")
    response = api_client(ctx, "gestionnaire").get(cache["parcours"])
    assert response.status_code == 200, response.status_code
