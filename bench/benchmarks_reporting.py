"""The annual bilan (issue 7): the JSON of one PLIE's year, as the API and the command serve it.

The bench dataset may hold no parcours yet (seed_demo adds them in another issue): the benchmark
then measures the same queries over empty tables, and measures the real work as soon as the demo
data has parcours, with nothing to change here."""

import datetime
import json

from bench import floors
from bench.registry import benchmark

BILAN_TARGET_MS = 1000  # issue 17: < 1 s at 300,000 participants (and ≤ 3× its SQL floor)

_ANNEES = {}  # PLIE code -> the year measured (looked up once, during the warm-up run)


def annee_du_bilan(code):
    """The latest civil year with an entry in the PLIE (the current year when none)."""
    if code not in _ANNEES:
        from parcours.models import Parcours

        derniere = (
            Parcours.objects.filter(plie__code=code, date_entree__isnull=False)
            .order_by("-date_entree")
            .values_list("date_entree", flat=True)
            .first()
        )
        _ANNEES[code] = (derniere or datetime.date.today()).year
    return _ANNEES[code]


@benchmark("reporting.bilan_json", target_ms=BILAN_TARGET_MS, floor=floors.bilan_floor)
def bilan_json(ctx):
    """bilan_annuel() of the first PLIE for its latest year with entries, serialised to JSON."""
    from reporting.bilan import bilan_annuel

    code = ctx.plie_codes[0]
    bilan = bilan_annuel(code, annee_du_bilan(code))
    assert json.dumps(bilan)


BILAN_PDF_TARGET_MS = 5000


@benchmark("reporting.bilan_pdf", target_ms=BILAN_PDF_TARGET_MS, floor=floors.bilan_floor)
def bilan_pdf(ctx):
    """The annual bilan of the first PLIE as the PDF for the comité de pilotage (bilan_annuel() and
    the WeasyPrint rendering, charts included)."""
    from reporting.bilan import bilan_annuel
    from reporting.pdf import render_bilan

    code = ctx.plie_codes[0]
    pdf = render_bilan(bilan_annuel(code, annee_du_bilan(code)))
    assert pdf.startswith(b"%PDF")
