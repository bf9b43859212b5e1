"""Give the PLIE that existed before the default exit referential and step types
(``parcours.referentiels``; new PLIE get them from the ``post_save`` signal)."""

from django.db import migrations


def create_defaults(apps, schema_editor):
    from parcours.referentiels import ensure_defaults

    Structure = apps.get_model("core", "Structure")
    TypeSortie = apps.get_model("parcours", "TypeSortie")
    TypeEtape = apps.get_model("parcours", "TypeEtape")

    def bulk_create(model, objs):
        model.objects.bulk_create(objs)

    for plie_id in Structure.objects.filter(kind="plie").order_by("pk").values_list("pk", flat=True):
        ensure_defaults(
            plie_id, type_sortie_model=TypeSortie, type_etape_model=TypeEtape, bulk_create=bulk_create
        )


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0001_initial"),
        ("parcours", "0001_initial"),
    ]

    operations = [migrations.RunPython(create_defaults, migrations.RunPython.noop)]
