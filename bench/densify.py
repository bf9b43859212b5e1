"""Bringing the seeded dataset to the densities the targets are about (issue 17: « ~40 entretiens
and ~4 étapes each and référents of 80–100 parcours »), in SQL, once, when the dataset is built.

``seed_demo`` gives ~5 entretiens per parcours (six months of history) and référents of a few
dozen parcours. Here:

- each parcours' entretiens are copied, dates shifted back by a few weeks (never before the entry),
  until it has about :data:`ENTRETIENS` of them; the same for the étapes (:data:`ETAPES`);
- in each PLIE the active parcours are dealt out evenly among ``ceil(active / per_referent)``
  référents (so each follows between ~0.9 × and :data:`PARCOURS_PAR_REFERENT` of them), the demo
  référent first (the persona the bench logs in as), with new référents when the PLIE has too few.

Copies keep every other column of the row they come from (no history rows, as the demo data).
Returns the densities reached, recorded with the dataset."""

from django.db import connection

ENTRETIENS = 40
ETAPES = 4
PARCOURS_PAR_REFERENT = 90
ACTIFS = ("en_parcours", "suspendu", "suivi_emploi")


def _columns(model, shifted):
    """``(column list, select list)`` copying ``model``'s row ``src`` with ``shifted``
    ``{column: SQL expression}`` replacing some columns."""
    columns = [f.column for f in model._meta.concrete_fields if not f.primary_key]
    select = [shifted.get(column, f"src.{connection.ops.quote_name(column)}") for column in columns]
    return ", ".join(connection.ops.quote_name(c) for c in columns), ", ".join(select)


def copy_rows(model, *, per_parcours, dates, step_days):
    """Copy the rows of ``model`` (a child of a parcours) until each parcours has about
    ``per_parcours`` of them. ``dates``: the date columns, the first one the anchor; the k-th copy
    moves them all back by ``k * step_days`` days, or less so that the anchor never goes before the
    parcours' entry (one shift for all: an étape still ends after it starts)."""
    table = model._meta.db_table
    anchor = dates[0]
    shift = f"LEAST(k * {step_days}, GREATEST(0, src.{anchor} - COALESCE(p.date_entree, src.{anchor})))"
    columns, select = _columns(model, {column: f"src.{column} - {shift}" for column in dates})
    sql = f"""
        INSERT INTO {table} ({columns})
        SELECT {select}
        FROM {table} src
        JOIN parcours_parcours p ON p.id = src.parcours_id
        JOIN (SELECT parcours_id, count(*) AS n FROM {table} GROUP BY parcours_id) c
          ON c.parcours_id = src.parcours_id
        CROSS JOIN LATERAL generate_series(1, GREATEST(0, CEIL(%s::numeric / c.n)::int - 1)) AS k
    """
    with connection.cursor() as cursor:
        cursor.execute(sql, [per_parcours])
        return cursor.rowcount


def share_out_referents(*, per_referent, first_referent_emails):
    """In each PLIE, the active parcours dealt out evenly among ``ceil(active / per_referent)``
    référents (the PLIE's référents by id, the demo référent of ``first_referent_emails`` first);
    creates the référents missing. Returns the number of référents following active parcours."""
    from plie.core.enums import Role
    from plie.core.models import Membership, Structure, User

    suivis = 0
    for plie in Structure.objects.plies().order_by("id"):
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT id FROM parcours_parcours WHERE plie_id = %s AND status = ANY(%s) ORDER BY id",
                [plie.id, list(ACTIFS)],
            )
            actifs = [row[0] for row in cursor.fetchall()]
        if not actifs:
            continue
        groups = -(-len(actifs) // per_referent)
        referents = list(
            User.objects.filter(memberships__structure=plie, memberships__role=Role.REFERENT)
            .distinct()
            .order_by("id")
        )
        referents.sort(key=lambda user: user.email not in first_referent_emails)
        for numero in range(len(referents), groups):
            user = User.objects.create(
                email=f"referent.bench{numero}.{plie.code}@bench.exemple.fr",
                first_name="Référent",
                last_name=f"Bench {numero}",
            )
            Membership.objects.create(user=user, structure=plie, role=Role.REFERENT)
            referents.append(user)
        with connection.cursor() as cursor:
            cursor.execute(
                """
                UPDATE parcours_parcours p SET referent_id = (%s::bigint[])[mod(r.rang, %s) + 1]
                FROM (SELECT id, row_number() OVER (ORDER BY id) - 1 AS rang
                      FROM parcours_parcours WHERE id = ANY(%s)) r
                WHERE p.id = r.id
                """,
                [[u.pk for u in referents[:groups]], groups, actifs],
            )
        suivis += groups
    return suivis


def densities():
    """What the dataset holds: entretiens and étapes per participant with a parcours, active
    parcours per référent (min, median, max)."""
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT
              (SELECT count(*) FROM parcours_entretien)::float
                / NULLIF((SELECT count(DISTINCT participant_id) FROM parcours_parcours
                          WHERE id IN (SELECT parcours_id FROM parcours_entretien)), 0),
              (SELECT count(*) FROM parcours_etape)::float
                / NULLIF((SELECT count(DISTINCT participant_id) FROM parcours_parcours
                          WHERE id IN (SELECT parcours_id FROM parcours_etape)), 0)
            """
        )
        entretiens, etapes = cursor.fetchone()
        cursor.execute(
            """
            SELECT min(n), percentile_disc(0.5) WITHIN GROUP (ORDER BY n), max(n) FROM (
              SELECT count(*) AS n FROM parcours_parcours
              WHERE status = ANY(%s) AND referent_id IS NOT NULL GROUP BY referent_id) t
            """,
            [list(ACTIFS)],
        )
        par_referent = cursor.fetchone()
    return {
        "entretiens_par_participant": round(entretiens or 0, 1),
        "etapes_par_participant": round(etapes or 0, 1),
        "parcours_actifs_par_referent": list(par_referent),
    }


def densify(*, entretiens=ENTRETIENS, etapes=ETAPES, per_referent=PARCOURS_PAR_REFERENT):
    """Bring the dataset to those densities (see the module docstring); returns :func:`densities`."""
    from django.db import transaction

    from parcours.models import Entretien, Etape
    from plie.core import demo
    from plie.core.enums import Role
    from plie.core.models import Structure

    codes = Structure.objects.plies().values_list("code", flat=True)
    first = {demo.demo_email(Role.REFERENT, code) for code in codes}
    with transaction.atomic():
        copy_rows(Entretien, per_parcours=entretiens, dates=["date"], step_days=21)
        etape_dates = ["date_debut", "date_fin_prevue", "date_fin"]
        copy_rows(Etape, per_parcours=etapes, dates=etape_dates, step_days=45)
        share_out_referents(per_referent=per_referent, first_referent_emails=first)
    return densities()
