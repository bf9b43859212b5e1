"""The FSE completeness board of the demo's largest operation (issue 6: with 100,000 participants,
the board of an operation of about 3,000 enrolments answers in under 2 seconds): the whole page,
server side (view, queries, template), as the PLIE's gestionnaire opens it.

The operations come from ``operations.demo`` (run by ``seed_demo``); on a dataset built before it
existed the benchmark fails with a clear message instead of measuring an empty page."""

from bench.registry import benchmark

COMPLETUDE_TARGET_MS = 2000

_PLUS_GRANDE = {}  # PLIE code -> (operation id, enrolments), looked up once (warm-up run)


def plus_grande_operation(code):
    """The operation of the PLIE ``code`` with the most enrolments: ``(pk, count)``."""
    if code not in _PLUS_GRANDE:
        from django.db.models import Count

        from operations.models import Operation

        row = (
            Operation.objects.filter(plie__code=code)
            .annotate(n=Count("inscriptions"))
            .order_by("-n", "pk")
            .values_list("pk", "n")
            .first()
        )
        if row is None:
            raise RuntimeError(
                f"Aucune opération dans le PLIE {code} : relancez seed_demo (operations.demo)."
            )
        _PLUS_GRANDE[code] = row
    return _PLUS_GRANDE[code]


@benchmark("operations.completude_page", target_ms=COMPLETUDE_TARGET_MS)
def completude_page(ctx):
    """The completeness board (whole page) of the first PLIE's largest operation, as its gestionnaire."""
    pk, _count = plus_grande_operation(ctx.plie_codes[0])
    response = ctx.client("gestionnaire").get(f"/operations/{pk}/completude/")
    assert response.status_code == 200, response.status_code


@benchmark("operations.completude_globale", target_ms=COMPLETUDE_TARGET_MS)
def completude_globale(ctx):
    """The completeness counts of every operation of the OI's PLIE (the OI direction's page)."""
    response = ctx.client("direction_oi").get("/operations/completude/")
    assert response.status_code == 200, response.status_code
