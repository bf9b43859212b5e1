"""Raw-SQL floors: for an aggregate or a page, the one hand-written query that gives the same
figures (or the same rows), timed in the same run as the benchmark and printed beside it with the
ratio (issue 17: « each aggregate figure beside its raw-SQL floor »). A floor is what the page
cannot beat; a ratio far above it says where the time goes (Python, templates, extra queries)."""

import datetime

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


FLUX_SQL = """
SELECT GROUPING(pa.sexe) AS tous, pa.sexe,
       count(*) FILTER (WHERE p.date_entree < %(debut)s
                        AND (p.date_sortie IS NULL OR p.date_sortie >= %(debut)s)) AS au_debut,
       count(*) FILTER (WHERE p.date_entree BETWEEN %(debut)s AND %(fin)s) AS entrees,
       count(*) FILTER (WHERE p.date_sortie BETWEEN %(debut)s AND %(fin)s) AS sorties,
       count(*) FILTER (WHERE p.date_sortie BETWEEN %(debut)s AND %(fin)s
                        AND ts.categorie IN ('emploi_durable', 'qualifiante', 'positive_autre'))
                        AS sorties_positives,
       count(*) FILTER (WHERE p.date_entree <= %(fin)s
                        AND (p.date_sortie IS NULL OR p.date_sortie > %(fin)s)) AS a_la_fin
FROM parcours_parcours p
JOIN participants_participant pa ON pa.id = p.participant_id
LEFT JOIN parcours_sortie s ON s.parcours_id = p.id
LEFT JOIN parcours_typesortie ts ON ts.id = s.type_id
WHERE p.plie_id = ANY(%(plies)s) AND p.date_entree IS NOT NULL AND p.date_entree <= %(fin)s
  AND (p.date_sortie IS NULL OR p.date_sortie >= %(debut)s)
GROUP BY GROUPING SETS ((), (pa.sexe))
"""


def _requetes_du_bilan(ctx, code, annee):
    """Every statement ``bilan_annuel(code, annee)`` sends, with its parameters, captured once."""
    from reporting.bilan import bilan_annuel

    cache = ctx.__dict__.setdefault("_floor_bilan_sql", {})
    if (code, annee) not in cache:
        statements = []

        def capture(execute, sql, params, many, context):
            statements.append((sql, params))
            return execute(sql, params, many, context)

        with connection.execute_wrapper(capture):
            bilan_annuel(code, annee)
        cache[(code, annee)] = statements
    return cache[(code, annee)]


def bilan_floor(ctx):
    """Every section of the bilan (flow table with the référents' and prescripteurs' rows, the
    public-category cube, the étapes, the entretiens, the operations and the FSE indicators): the
    very statements the bilan sends (hand-written SQL for the étapes and the entretiens, the
    ORM's for the rest), replayed raw, their rows fetched. The same figures by construction,
    without the ORM's compilation and the Python that shapes the JSON: the ratio is what those
    add (issue 17: the former floor, the flow table alone, made the bilan look 13× its floor)."""
    from bench.benchmarks_reporting import annee_du_bilan

    code = ctx.plie_codes[0]
    for sql, params in _requetes_du_bilan(ctx, code, annee_du_bilan(code)):
        _fetch(sql, params)


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
