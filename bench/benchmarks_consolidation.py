"""The overnight consolidation (issue 7): every PLIE's snapshot of the day, run eagerly (one
process doing what the workers share at night). Target: 10 PLIE × 10,000 participants in 60 s."""

from bench.registry import benchmark

CONSOLIDATION_TARGET_MS = 60000


@benchmark("reporting.nightly_consolidation", target_ms=CONSOLIDATION_TARGET_MS, writes=True)
def nightly_consolidation(ctx):
    """nightly_consolidation() over every PLIE of the dataset, eager, recomputing every snapshot
    (``tout=True``: the warm-up run must not turn the measured runs into no-ops)."""
    from reporting.tasks import nightly_consolidation

    assert nightly_consolidation.delay(tout=True).get() == len(ctx.plie_codes)
