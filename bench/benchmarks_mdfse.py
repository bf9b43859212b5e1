"""The Ma Démarche FSE participant file of the demo's largest operation (issue 6: with 100,000
participants, the FSE export of an operation of about 3,000 enrolments answers in under 2 seconds),
and its validator: the whole response, streamed body consumed, as the PLIE's gestionnaire asks.

The operation is the first PLIE's largest (``bench.benchmarks_operations.plus_grande_operation``,
from ``operations.demo`` run by ``seed_demo``)."""

from bench.benchmarks_operations import plus_grande_operation
from bench.registry import benchmark

MDFSE_TARGET_MS = 2000


@benchmark("operations.mdfse.export_csv", target_ms=MDFSE_TARGET_MS)
def export_csv(ctx):
    """The MDFSE CSV of the first PLIE's largest operation, whole streamed body read."""
    pk, count = plus_grande_operation(ctx.plie_codes[0])
    response = ctx.client("gestionnaire").get(f"/operations/{pk}/export-mdfse/")
    assert response.status_code == 200, response.status_code
    body = b"".join(response.streaming_content)
    assert body.count(b"\r\n") >= 2, "fichier vide"


@benchmark("operations.mdfse.validation_page", target_ms=MDFSE_TARGET_MS)
def validation_page(ctx):
    """The validator page (every row checked, first page of faults rendered), same operation."""
    pk, _count = plus_grande_operation(ctx.plie_codes[0])
    response = ctx.client("gestionnaire").get(f"/operations/{pk}/validation-mdfse/")
    assert response.status_code == 200, response.status_code


@benchmark("operations.mdfse.export_xlsx")
def export_xlsx(ctx):
    """The same rows as XLSX (no target: a file for humans, asked now and then)."""
    pk, _count = plus_grande_operation(ctx.plie_codes[0])
    response = ctx.client("gestionnaire").get(f"/operations/{pk}/export-xlsx/")
    assert response.status_code == 200, response.status_code
