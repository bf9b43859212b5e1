from django.contrib import admin

from plie.core.admin import ReadOnlyAdminMixin
from reporting.models import Cloture, SnapshotPlie


@admin.register(SnapshotPlie)
class SnapshotPlieAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Read-only: the snapshots are written by the nightly consolidation only."""

    list_display = [
        "plie",
        "jour",
        "en_parcours",
        "entrees_annee",
        "sorties_annee",
        "sorties_positives_annee",
        "abandons_annee",
        "neutralisees_annee",
        "computed_at",
    ]
    list_filter = ["plie"]
    date_hierarchy = "jour"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Cloture)
class ClotureAdmin(admin.ModelAdmin):
    """Read-only: a period is closed from the app by its gestionnaire, and a stored version is
    immutable (a correction is a new version)."""

    list_display = ["plie", "rapport", "periode", "version", "cloturee_par", "cloturee_le", "modifiee_depuis"]
    list_filter = ["plie", "rapport"]
    readonly_fields = [f.name for f in Cloture._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
