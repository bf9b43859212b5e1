"""The browser dashboards (issue 7): the dashboard of one PLIE as its animation team opens it,
the OI's dashboard (one column per PLIE and the consolidation) and the financeur's aggregates.

They read the nightly snapshots when there are some for today or yesterday and count live
otherwise. The dataset is built without the night: each benchmark first makes sure today's
consolidation ran (``nuit_faite``, once, never timed), as it has every morning in production."""

from bench import floors
from bench.benchmarks_core import nuit_faite
from bench.registry import benchmark

DASHBOARD_TARGET_MS = 1000
DASHBOARD_OI_TARGET_MS = 300  # issue 17: the OI consolidated dashboard < 300 ms at 300,000


@benchmark("dashboards.plie.animation", target_ms=DASHBOARD_TARGET_MS)
def dashboard_plie(ctx):
    """The dashboard of the first PLIE (flows, rates, alerts, files actives, 12-month trends), the page."""
    nuit_faite(ctx)
    response = ctx.client("animation").get("/tableaux-de-bord/")
    assert response.status_code == 200


@benchmark("dashboards.oi.direction_oi", target_ms=DASHBOARD_OI_TARGET_MS, floor=floors.dashboard_oi_floor)
def dashboard_oi(ctx):
    """The OI's dashboard: one column per PLIE and the consolidation, the page."""
    nuit_faite(ctx)
    response = ctx.client("direction_oi").get("/tableaux-de-bord/oi/")
    assert response.status_code == 200


@benchmark("dashboards.financeur", target_ms=DASHBOARD_TARGET_MS)
def dashboard_financeur(ctx):
    """The financeur's aggregate dashboard of its first PLIE, the page."""
    nuit_faite(ctx)
    response = ctx.client("financeur").get("/tableaux-de-bord/financeur/")
    assert response.status_code == 200
