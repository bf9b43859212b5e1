"""The parcours app in the Django admin: the referentials (exit types with their validation
rule checked in French, step types), commissions, the PLIE settings, and the parcours read-only
with their history (their changes go through ``parcours.services`` and ``parcours.transitions``)."""

from django import forms
from django.contrib import admin
from django.core.exceptions import PermissionDenied
from simple_history.admin import SimpleHistoryAdmin

from parcours.models import (
    Alerte,
    Commission,
    Decision,
    ParametresPlie,
    Parcours,
    TypeEtape,
    TypeSortie,
)
from parcours.sorties import CRITERES, criteres_errors, criteres_label
from plie.core.admin import ReadOnlyAdminMixin
from plie.core.models import Structure


class PlieChoiceMixin:
    """The ``plie`` field offers PLIE only."""

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "plie":
            kwargs["queryset"] = Structure.objects.plies()
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


CRITERES_HELP = (
    "Liste de critères ; la sortie est validable dès que l'un d'eux est rempli. Exemple : "
    '[{"type": "heures_fenetre", "heures": 900, "fenetre_mois": 9, "meme_employeur": true}, '
    '{"type": "duree_emploi", "mois": 12, "meme_employeur": true, "heures_hebdo_min": 20}]. Types : '
    + ", ".join(sorted(CRITERES))
    + ". Liste vide : pas de règle en emploi. Les administrateurs du PLIE ont un formulaire critère par "
    "critère (Référentiels)."
)


class TypeSortieForm(forms.ModelForm):
    class Meta:
        model = TypeSortie
        fields = [
            "plie",
            "code",
            "libelle",
            "categorie",
            "categorie_departement",
            "criteres",
            "commission_requise",
            "is_active",
            "ordre",
        ]
        help_texts = {"criteres": CRITERES_HELP}

    def clean_criteres(self):
        criteres = self.cleaned_data.get("criteres")
        if criteres is None:
            return []
        errors = criteres_errors(criteres)
        if errors:
            raise forms.ValidationError(errors)
        return criteres


@admin.register(TypeSortie)
class TypeSortieAdmin(PlieChoiceMixin, SimpleHistoryAdmin):
    form = TypeSortieForm
    list_display = [
        "libelle",
        "code",
        "plie",
        "categorie",
        "categorie_departement",
        "regle",
        "commission_requise",
        "is_active",
        "ordre",
    ]
    list_filter = ["categorie", "commission_requise", "is_active", "plie"]
    search_fields = ["code", "libelle", "plie__nom"]
    list_select_related = ["plie"]

    @admin.display(description="règle de validation")
    def regle(self, obj):
        return criteres_label(obj.criteres) or "—"


@admin.register(TypeEtape)
class TypeEtapeAdmin(PlieChoiceMixin, admin.ModelAdmin):
    list_display = ["libelle", "code", "categorie", "plie", "is_active"]
    list_filter = ["categorie", "is_active"]
    search_fields = ["code", "libelle"]
    list_select_related = ["plie"]


class DecisionInline(admin.TabularInline):
    model = Decision
    extra = 0
    fields = ["parcours", "objet", "decision", "motif", "date_representation", "decided_at"]
    readonly_fields = fields
    can_delete = False
    show_change_link = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Commission)
class CommissionAdmin(PlieChoiceMixin, SimpleHistoryAdmin):
    list_display = ["__str__", "plie", "date", "lieu", "status"]
    list_filter = ["status", "plie"]
    date_hierarchy = "date"
    list_select_related = ["plie"]
    inlines = [DecisionInline]


@admin.register(Parcours)
class ParcoursAdmin(ReadOnlyAdminMixin, SimpleHistoryAdmin):
    """Read-only: a parcours changes through the services (state machine, optimistic lock)."""

    list_display = ["__str__", "plie", "status", "referent", "date_entree", "date_sortie"]
    list_filter = ["status", "plie"]
    search_fields = ["participant__nom", "participant__prenom"]
    list_select_related = ["participant", "plie", "referent"]
    date_hierarchy = "date_entree"

    def get_readonly_fields(self, request, obj=None):
        return [field.name for field in self.model._meta.fields]

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        """Past versions may be read, never restored (a revert would bypass the services)."""
        if request.method == "POST":
            raise PermissionDenied
        return super().history_form_view(request, object_id, version_id, extra_context)


@admin.register(ParametresPlie)
class ParametresPlieAdmin(PlieChoiceMixin, admin.ModelAdmin):
    list_display = ["plie", "jours_sans_contact", "duree_cible_mois", "jours_avant_fin_suspension"]
    list_select_related = ["plie"]


@admin.register(Alerte)
class AlerteAdmin(admin.ModelAdmin):
    """What the nightly job computed (``parcours.tasks``); recomputed, never edited."""

    list_display = ["type", "parcours", "plie", "echeance", "detail", "computed_on"]
    list_filter = ["type", "plie"]
    list_select_related = ["parcours__participant", "plie"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
