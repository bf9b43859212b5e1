"""Raw-SQL floors: for an aggregate or a page, the one hand-written query that gives the same
figures (or the same rows), timed in the same run as the benchmark and printed beside it with the
ratio (issue 17: « each aggregate figure beside its raw-SQL floor »). A floor is what the page
cannot beat; a ratio far above it says where the time goes (Python, templates, extra queries)."""

from django.db import connection


def _fetch(sql, params):
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def _plie_ids(ctx, codes):
    from plie.core.models import Structure

    key = tuple(codes)
    cache = ctx.__dict__.setdefault("_floor_plie_ids", {})
    if key not in cache:
        cache[key] = list(Structure.objects.filter(code__in=codes).values_list("id", flat=True))
    return cache[key]


def bilan_floor(ctx):
    """Every section of the bilan of the first PLIE (flow table with the référents' and
    prescripteurs' rows, the public-category cube, the étapes, the entretiens, the operations and
    the FSE indicators with the six-month results): hand-written statements, written apart from
    the bilan's (``bench/floor_bilan.py``; ``tests/reporting/test_bilan_floor.py`` checks they give
    the bilan's figures), so a slow bilan query cannot slow its own floor down."""
    from django.utils import timezone

    from bench.benchmarks_reporting import annee_du_bilan
    from bench.floor_bilan import chiffres

    code = ctx.plie_codes[0]
    (plie_id,) = _plie_ids(ctx, [code])
    figures = chiffres(plie_id, annee_du_bilan(code), timezone.localdate())
    assert figures["flux"] is not None


def dashboard_oi_floor(ctx):
    """The OI dashboard's columns as the page shows them once the night has run: per PLIE, the
    figures of today's snapshot (flows and rates of the year to date, FSE questionnaires never
    started, the operations' completeness, the 12-month trends) and the open alerts by type,
    counted live (one query)."""
    from django.utils import timezone

    rows = _fetch(
        """
        SELECT s.plie_id, s.indicateurs,
               (SELECT json_object_agg(t.type, t.n)
                FROM (SELECT a.type, count(*) AS n FROM parcours_alerte a
                      WHERE a.plie_id = s.plie_id GROUP BY a.type) t) AS alertes
        FROM reporting_snapshotplie s
        WHERE s.plie_id = ANY(%s) AND s.jour = %s
        """,
        [_plie_ids(ctx, ctx.plie_codes), timezone.localdate()],
    )
    assert len(rows) == len(ctx.plie_codes)


def workspace_floor(ctx):
    """« Ma file active »: the référent's active parcours with the participant, last contact and
    next appointment, ordered by name."""
    rows = _fetch(
        """
        SELECT p.id, pa.nom, pa.prenom, p.status, p.date_entree, p.dernier_contact, p.prochain_rdv
        FROM parcours_parcours p JOIN participants_participant pa ON pa.id = p.participant_id
        WHERE p.referent_id = %s AND p.status IN ('en_parcours', 'suspendu', 'suivi_emploi')
        ORDER BY pa.nom, pa.prenom, pa.id
        """,
        [ctx.user("referent").pk],
    )
    assert rows is not None


def participant_list_oi_floor(ctx):
    """The first page of an OI's participants, ordered by name."""
    rows = _fetch(
        """
        SELECT id, nom, prenom, date_naissance, commune FROM participants_participant
        WHERE plie_id = ANY(%s) ORDER BY nom, prenom, id LIMIT 50
        """,
        [_plie_ids(ctx, ctx.plie_codes)],
    )
    assert rows is not None
