"""Bring the default exit rules of the PLIE already created to the strictest common reading of
the seed PLIE tables (``parcours.referentiels``, seed 004 lines cited there): « même employeur »
on the CDI and intérim rules, 39 weeks for successive contracts, 12 months at 20 h a week for
aided contracts, a new « CDD en ETTI » type (39 weeks, same user company, commission).

Only rows still holding the previous default are changed (a rule or a label the PLIE's
administrateur changed is left as it is); the values are frozen here, as they were and as they
become."""

from django.db import migrations

OLD_12_MOIS = [
    {"type": "duree_emploi", "mois": 12},
    {"type": "heures_fenetre", "heures": 1200, "fenetre_mois": 12},
]

# code: (previous libellé, previous rule, new libellé, new rule)
CHANGES = {
    "CDI": (
        "CDI",
        [{"type": "duree_emploi", "mois": 6}],
        "CDI",
        [
            {"type": "duree_emploi", "mois": 6, "meme_employeur": True},
        ],
    ),
    "INTERIM_6M": (
        "Intérim (900 h dans la même agence sur 9 mois ou 6 mois sans interruption)",
        [
            {"type": "heures_fenetre", "heures": 900, "fenetre_mois": 9, "meme_employeur": True},
            {"type": "duree_emploi", "mois": 6},
        ],
        "Intérim (900 h dans la même agence sur les 9 derniers mois, ou 6 mois sans interruption "
        "dans la même agence)",
        [
            {"type": "heures_fenetre", "heures": 900, "fenetre_mois": 9, "meme_employeur": True},
            {"type": "duree_emploi", "mois": 6, "meme_employeur": True},
        ],
    ),
    "CONTRATS_SUCCESSIFS": (
        "Contrats successifs (6 mois sur 9 mois, 39 semaines ou 1 200 h sur 12 mois)",
        [
            {"type": "duree_fenetre", "mois": 6, "fenetre_mois": 9},
            {"type": "semaines_fenetre", "semaines": 39, "fenetre_mois": 12},
            {"type": "heures_fenetre", "heures": 1200, "fenetre_mois": 12},
        ],
        "Contrats successifs (39 semaines sur les 12 derniers mois)",
        [{"type": "semaines_fenetre", "semaines": 39, "fenetre_mois": 12}],
    ),
    "CONTRAT_AIDE": (
        "Contrat aidé, CDD en EI ou en ETTI",
        OLD_12_MOIS,
        "Contrat aidé ou CDD en EI (12 mois, 20 h par semaine au moins)",
        [{"type": "duree_emploi", "mois": 12, "meme_employeur": True, "heures_hebdo_min": 20}],
    ),
    "AUTRE_POSITIVE": (
        "Autre sortie positive (dynamique)",
        OLD_12_MOIS,
        "Autre sortie positive (dynamique)",
        [{"type": "duree_emploi", "mois": 12}],
    ),
}

ETTI = {
    "code": "CDD_ETTI",
    "libelle": "CDD en ETTI (39 semaines sur les 12 derniers mois, même entreprise)",
    "categorie": "positive_autre",
    "categorie_departement": "positive",
    "criteres": [{"type": "semaines_fenetre", "semaines": 39, "fenetre_mois": 12, "meme_employeur": True}],
    "commission_requise": True,
}


def forwards(apps, schema_editor):
    TypeSortie = apps.get_model("parcours", "TypeSortie")
    Structure = apps.get_model("core", "Structure")
    changed = []
    for row in TypeSortie.objects.filter(code__in=CHANGES):
        old_libelle, old_rule, new_libelle, new_rule = CHANGES[row.code]
        if row.criteres == old_rule:
            row.criteres = new_rule
            if row.libelle == old_libelle:
                row.libelle = new_libelle
            changed.append(row)
    TypeSortie.objects.bulk_update(changed, ["criteres", "libelle"], batch_size=500)
    for plie_id in Structure.objects.filter(kind="plie").order_by("pk").values_list("pk", flat=True):
        rows = TypeSortie.objects.filter(plie_id=plie_id)
        if not rows.exists() or rows.filter(code=ETTI["code"]).exists():
            continue  # a PLIE without referential gets every default from parcours.referentiels
        aide = rows.filter(code="CONTRAT_AIDE").values_list("ordre", flat=True).first()
        ordre = (aide + 5) if aide is not None else 75
        TypeSortie.objects.create(plie_id=plie_id, ordre=ordre, **ETTI)


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0001_initial"),
        ("parcours", "0004_typesortie_categorie_departement"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
