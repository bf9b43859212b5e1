"""Step 2 of 2 (after 0011's backfill): ``plie`` NOT NULL with its foreign key, and the
``(plie, id)`` indexes of the API's cursor pages. When a transaction older than 0011's backfill
is still open as the indexes are built, PostgreSQL may use them only once it has ended
(``pg_index.indcheckxmin``: the backfill left a few updated rows on their page)."""

import django.db.models.deletion
from django.db import migrations, models


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
    dependencies = [("parcours", "0011_entretien_etape_plie")]

    operations = [
        migrations.AlterField(model_name="entretien", name="plie", field=field()),
        migrations.AlterField(model_name="etape", name="plie", field=field()),
        migrations.AddIndex(
            model_name="entretien", index=models.Index(fields=["plie", "id"], name="entretien_plie_id_idx")
        ),
        migrations.AddIndex(
            model_name="etape", index=models.Index(fields=["plie", "id"], name="etape_plie_id_idx")
        ),
    ]
