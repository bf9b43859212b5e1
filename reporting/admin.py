from django.contrib import admin

from plie.core.admin import ReadOnlyAdminMixin
from reporting.models import SnapshotPlie


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
