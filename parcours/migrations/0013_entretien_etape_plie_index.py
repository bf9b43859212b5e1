"""Step 3 of 3 (after 0011's backfill and 0012's compaction): ``plie`` NOT NULL with its foreign
key, and the ``(plie, id)`` indexes of the API's cursor pages (with the columns of the lists'
filters: a page's ids are read from the index alone)."""

import django.db.models.deletion
from django.db import migrations, models


def without_statement_timeout(apps, schema_editor):
    """The NOT NULL check, the foreign key's and the indexes' builds read 12 million rows at
    300,000 participants: without the connection's ``statement_timeout`` (60 s), for this
    migration's transaction only."""
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("SET LOCAL statement_timeout = 0")


def field():
    return models.ForeignKey(
        editable=False,
        on_delete=django.db.models.deletion.PROTECT,
        related_name="+",
        to="core.structure",
        verbose_name="PLIE",
        db_index=False,
    )


class Migration(migrations.Migration):
    dependencies = [("parcours", "0012_entretien_etape_plie_compact")]

    operations = [
        migrations.RunPython(without_statement_timeout, migrations.RunPython.noop, elidable=True),
        migrations.AlterField(model_name="entretien", name="plie", field=field()),
        migrations.AlterField(model_name="etape", name="plie", field=field()),
        migrations.AddIndex(
            model_name="entretien",
            index=models.Index(fields=["plie", "id"], include=["date"], name="entretien_plie_id_idx"),
        ),
        migrations.AddIndex(
            model_name="etape",
            index=models.Index(
                fields=["plie", "id"], include=["date_fin", "operateur"], name="etape_plie_id_idx"
            ),
        ),
    ]
