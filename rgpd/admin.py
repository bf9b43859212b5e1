from django.contrib import admin

from rgpd.models import Anonymisation, ConservationPlie, Opposition


@admin.register(ConservationPlie)
class ConservationPlieAdmin(admin.ModelAdmin):
    list_display = [
        "plie",
        "annees_apres_parcours",
        "fin_controle_fse",
        "jours_fichiers_import",
        "jours_preavis",
    ]
    autocomplete_fields = ["plie"]


@admin.register(Opposition)
class OppositionAdmin(admin.ModelAdmin):
    list_display = ["participant_id", "plie", "jusqu_au", "created_at", "created_by"]
    list_filter = ["plie"]
    raw_id_fields = ["participant"]


@admin.register(Anonymisation)
class AnonymisationAdmin(admin.ModelAdmin):
    """What the nightly job anonymised: read-only."""

    list_display = ["participant_id", "plie", "echeance", "done_at", "documents_supprimes"]
    list_filter = ["plie"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
