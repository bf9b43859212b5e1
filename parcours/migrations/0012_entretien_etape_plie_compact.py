"""Step 2 of 3 (after 0011's backfill): on PostgreSQL, both tables rewritten compactly
(``VACUUM FULL``, outside a transaction). The backfill's ``UPDATE`` wrote a new version of every
row: without it, the table and its indexes stay twice their size (at 100,000 participants the
entretiens 423 → 873 MB, their ``(parcours, date)`` index 183 → 367 MB), and every scan of them
reads twice the pages until new rows fill the space, years later. 15 s at 100,000 participants;
the tables are locked meanwhile, as they were by the backfill."""

from django.db import migrations

TABLES = ("parcours_entretien", "parcours_etape")


def compact(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table in TABLES:
        schema_editor.execute(f"VACUUM FULL {schema_editor.quote_name(table)}")


class Migration(migrations.Migration):
    atomic = False

    dependencies = [("parcours", "0011_entretien_etape_plie")]

    operations = [migrations.RunPython(compact, migrations.RunPython.noop, elidable=True)]
