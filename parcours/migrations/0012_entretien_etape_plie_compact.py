"""Step 2 of 3 (after 0011's backfill): on PostgreSQL, both tables rewritten compactly
(``VACUUM FULL``, outside a transaction), then vacuumed and analysed (``VACUUM FULL`` leaves the
visibility map empty: the index-only scans of 0013's ``(plie, id)`` indexes need it).

The backfill's ``UPDATE`` wrote a new version of every row: without this step the table and its
indexes stay twice their size (at 100,000 participants the entretiens 423 → 873 MB, their
``(parcours, date)`` index 183 → 367 MB) and every scan of them reads twice the pages until new
rows fill the space, years later. About 15 s at 100,000 participants; the tables are locked
meanwhile, as they were by the backfill."""

from django.db import migrations

TABLES = ("parcours_entretien", "parcours_etape")


def compact(apps, schema_editor):
    """Without the connection's ``statement_timeout`` (60 s: about a minute at 300,000
    participants), restored afterwards."""
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("SET statement_timeout = 0")
    try:
        for table in TABLES:
            schema_editor.execute(f"VACUUM FULL {schema_editor.quote_name(table)}")
            schema_editor.execute(f"VACUUM ANALYZE {schema_editor.quote_name(table)}")
    finally:
        schema_editor.execute("RESET statement_timeout")


class Migration(migrations.Migration):
    atomic = False

    dependencies = [("parcours", "0011_entretien_etape_plie")]

    operations = [migrations.RunPython(compact, migrations.RunPython.noop, elidable=True)]
