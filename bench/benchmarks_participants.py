"""The search box at scale: one PLIE (≈ N/K participants) and the whole OI (N participants).

Each benchmark runs ``search_participants`` on the scoped queryset and reads the first page
(50 rows), which is what the list view does; the server time of the search itself."""

from functools import cache

from bench.registry import benchmark

SEARCH_TARGET_MS = 300


@cache
def _sample(plie_code):
    """A real participant of the PLIE (the same one for every run): its name, birth date, phone."""
    from participants.models import Participant

    return Participant.objects.filter(plie__code=plie_code).exclude(telephone="").order_by("id").first()


def _misspell(name):
    """« Lefèvre » -> « Lefèrve »: swap two inner letters."""
    if len(name) < 5:
        return name + "e"
    return name[:2] + name[3] + name[2] + name[4:]


def _search(ctx, persona, query):
    from participants.models import Participant
    from participants.search import search_participants
    from plie.core.scoping import scope_for

    rows = list(search_participants(Participant.objects.visible_to(scope_for(ctx.user(persona))), query)[:50])
    return rows


QUERIES = {
    "nom_partiel": lambda p: p.nom[:4],
    "nom_prenom": lambda p: f"{p.prenom} {p.nom}",
    "nom_mal_orthographie": lambda p: f"{_misspell(p.nom)} {p.prenom}",
    "date_naissance": lambda p: p.date_naissance.strftime("%d/%m/%Y"),
    "telephone": lambda p: p.telephone,
}


def _make(persona, kind):
    def run(ctx):
        sample = _sample(ctx.plie_codes[0])
        rows = _search(ctx, persona, QUERIES[kind](sample))
        if kind != "nom_partiel":
            assert sample in rows, f"{kind} : {sample} introuvable"

    run.__doc__ = f"Search ({kind}) as {persona}."
    run.__qualname__ = f"search_{persona}_{kind}"
    return run


# the widest nominative scope: the superuser (an OI membership reads no participant since issue 14)
for _persona in ("referent", "superuser"):
    for _kind in QUERIES:
        benchmark(f"participants.search.{_kind}.{_persona}", target_ms=SEARCH_TARGET_MS)(
            _make(_persona, _kind)
        )


@benchmark("participants.search_page.nom_mal_orthographie.referent", target_ms=500)
def search_page_misspelt(ctx):
    """The whole list page with a misspelt name in the search box, as the référent."""
    sample = _sample(ctx.plie_codes[0])
    # the search is POSTed and kept in the session (no name in the URL), then the list is shown
    client = ctx.client("referent")
    response = client.post("/participants/", {"q": QUERIES["nom_mal_orthographie"](sample)}, follow=True)
    assert response.status_code == 200
    assert f"/participants/{sample.pk}/" in response.content.decode()
