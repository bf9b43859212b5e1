from django.db import migrations

INDEX = "participant_search_trgm_idx"
PHONE_INDEX = "participant_phone_trgm_idx"


def create_trigram_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return  # SQLite (embedded default): the search scans, which is fine at demo scale
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    schema_editor.execute(
        f"CREATE INDEX IF NOT EXISTS {INDEX} ON participants_participant USING gin (search_text gin_trgm_ops)"
    )
    schema_editor.execute(
        f"CREATE INDEX IF NOT EXISTS {PHONE_INDEX} ON participants_participant USING gin (telephone_digits gin_trgm_ops)"
    )


def drop_trigram_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")
    schema_editor.execute(f"DROP INDEX IF EXISTS {PHONE_INDEX}")


class Migration(migrations.Migration):
    dependencies = [("participants", "0002_dossier")]

    operations = [migrations.RunPython(create_trigram_indexes, drop_trigram_indexes)]
