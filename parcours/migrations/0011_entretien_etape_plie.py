"""The parcours' PLIE copied on its entretiens and étapes (``ParcoursChild.plie``): the API's
cursor page of one PLIE (``ORDER BY id DESC``) then reads an index ``(plie, id)`` instead of
walking the whole table backwards (docs/scaling.md).

Step 1 of 3: the column, nullable and without its constraint (no trigger per row during the
backfill), then filled by one set-based ``UPDATE … FROM parcours_parcours`` per table (12 million
entretiens at 300,000 participants: one pass, no Python loop). 0012 rewrites both tables
compactly, 0013 makes the column NOT NULL, adds the foreign key and the indexes. Run ``ANALYZE``
afterwards."""

import django.db.models.deletion
from django.db import migrations, models
from django.db.models import OuterRef, Subquery

TABLES = ("entretien", "etape")


def without_statement_timeout(apps, schema_editor):
    """The project's connections carry a ``statement_timeout`` (``DB_STATEMENT_TIMEOUT_MS``,
    60 s): lifted for this migration's transaction only (the backfill of 12 million rows takes
    minutes); ``lock_timeout`` stays."""
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("SET LOCAL statement_timeout = 0")


def backfill(apps, schema_editor):
    """Each row's ``plie_id`` = its parcours' ``plie_id`` (rows that have one are left alone)."""
    if schema_editor.connection.vendor == "postgresql":
        for name in TABLES:
            schema_editor.execute(
                f"UPDATE parcours_{name} AS child SET plie_id = p.plie_id "
                "FROM parcours_parcours AS p WHERE p.id = child.parcours_id AND child.plie_id IS NULL"
            )
        return
    Parcours = apps.get_model("parcours", "Parcours")
    for name in TABLES:
        model = apps.get_model("parcours", name)
        model.objects.filter(plie__isnull=True).update(
            plie_id=Subquery(Parcours.objects.filter(pk=OuterRef("parcours_id")).values("plie_id")[:1])
        )


def field(**options):
    return models.ForeignKey(
        editable=False,
        on_delete=django.db.models.deletion.PROTECT,
        related_name="+",
        to="core.structure",
        verbose_name="PLIE",
        db_index=False,
        **options,
    )


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0007_structure_logo"),
        ("parcours", "0010_entretien_index_couvrant_mode"),
    ]

    operations = [
        migrations.RunPython(without_statement_timeout, migrations.RunPython.noop, elidable=True),
        migrations.AddField(
            model_name="entretien", name="plie", field=field(null=True, db_constraint=False)
        ),
        migrations.AddField(model_name="etape", name="plie", field=field(null=True, db_constraint=False)),
        migrations.RunPython(backfill, migrations.RunPython.noop, elidable=False),
    ]
