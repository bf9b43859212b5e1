from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from entreprises.models import Convention, Employeur, Marche, MiseEnRelation, Offre


@admin.register(Employeur)
class EmployeurAdmin(SimpleHistoryAdmin):
    list_display = ("nom", "siret", "plie", "commune", "secteur")
    list_filter = ("plie", "secteur")
    search_fields = ("nom", "siret")


@admin.register(Offre)
class OffreAdmin(SimpleHistoryAdmin):
    list_display = ("intitule", "code_rome", "employeur", "status", "date_publication")
    list_filter = ("plie", "status")


@admin.register(MiseEnRelation)
class MiseEnRelationAdmin(SimpleHistoryAdmin):
    list_display = ("participant", "offre", "status", "date_proposition")
    list_filter = ("status",)
    raw_id_fields = ("participant", "parcours", "offre", "etape")


@admin.register(Marche)
class MarcheAdmin(SimpleHistoryAdmin):
    list_display = ("reference", "lot", "donneur_ordre", "attributaire", "heures_requises")
    list_filter = ("plie",)


@admin.register(Convention)
class ConventionAdmin(SimpleHistoryAdmin):
    list_display = (
        "objet",
        "type_partenaire",
        "partenaire",
        "employeur",
        "date_signature",
        "date_debut",
        "date_fin",
    )
    list_filter = ("plie", "type_partenaire")
    raw_id_fields = ("employeur",)
