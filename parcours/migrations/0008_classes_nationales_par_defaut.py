"""Give every exit type its class in the national consolidation (``TypeSortie.classe_nationale``,
the defaults of ``parcours.referentiels.CLASSES_NATIONALES`` with their seed lines), and correct
two defaults of the referential (issue 13, item 5):

- « Non-respect du contrat d'engagement » (code NON_RESPECT_CONTRAT) was an abandon; abandons are
  the participants who leave of their own accord (``001`` l.518-519): it becomes « autre »;
- « Création d'entreprise » (code CREATION_ENTREPRISE) was folded into emploi durable; it gets
  its own category so that the breakdowns show it (``000`` l.1653-1655), still emploi durable
  in the national flow table.

Only rows still as the default referential set them are corrected (a category the PLIE changed
is kept). The migration says how many rows it changed."""

from django.db import migrations


def set_classes(apps, schema_editor):
    from parcours.referentiels import classe_nationale_par_defaut

    TypeSortie = apps.get_model("parcours", "TypeSortie")
    corrections = {
        ("NON_RESPECT_CONTRAT", "abandon"): "autre",
        ("CREATION_ENTREPRISE", "emploi_durable"): "creation_entreprise",
    }
    corriges, classes = 0, 0
    for type_sortie in TypeSortie.objects.order_by("pk"):
        categorie = corrections.get((type_sortie.code, type_sortie.categorie), type_sortie.categorie)
        classe = classe_nationale_par_defaut(type_sortie.code, categorie)
        if categorie != type_sortie.categorie:
            corriges += 1
        if (categorie, classe) != (type_sortie.categorie, type_sortie.classe_nationale):
            TypeSortie.objects.filter(pk=type_sortie.pk).update(categorie=categorie, classe_nationale=classe)
            classes += 1
    if corriges or classes:
        print(
            f"\n  Types de sortie : {classes} classés dans la consolidation nationale, "
            f"dont {corriges} changés de catégorie (non-respect du contrat, création d'entreprise)."
        )


class Migration(migrations.Migration):
    dependencies = [
        ("parcours", "0007_typesortie_classe_nationale"),
    ]

    operations = [migrations.RunPython(set_classes, migrations.RunPython.noop)]
