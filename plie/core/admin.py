from django import forms
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from simple_history.admin import SimpleHistoryAdmin

from plie.core.enums import Role
from plie.core.models import AccessLog, ApiToken, Membership, Structure, TaskRun, User
from plie.core.otp import ALWAYS_REQUIRED_ROLES


class ReadOnlyAdminMixin:
    """An admin page that shows and never writes: what the services or the nightly jobs own."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["structure"]


@admin.register(User)
class UserAdmin(SimpleHistoryAdmin, BaseUserAdmin):
    ordering = ["email"]
    list_display = ["email", "first_name", "last_name", "is_active", "is_staff"]
    search_fields = ["email", "first_name", "last_name"]
    inlines = [MembershipInline]
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        ("Identité", {"fields": ("first_name", "last_name")}),
        ("Droits", {"fields": ("is_active", "is_staff", "is_superuser")}),
        ("Dates", {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = ((None, {"classes": ("wide",), "fields": ("email", "password1", "password2")}),)


class StructureAdminForm(forms.ModelForm):
    roles_double_facteur = forms.MultipleChoiceField(
        label="Rôles tenus au second facteur",
        choices=[(role.value, role.label) for role in Role if role not in ALWAYS_REQUIRED_ROLES],
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=Structure._meta.get_field("roles_double_facteur").help_text,
    )

    class Meta:
        model = Structure
        fields = ["kind", "nom", "code", "oi", "plies", "roles_double_facteur"]


@admin.register(Structure)
class StructureAdmin(admin.ModelAdmin):
    form = StructureAdminForm
    list_display = ["nom", "kind", "code", "oi"]
    list_filter = ["kind"]
    search_fields = ["nom", "code"]
    filter_horizontal = ["plies"]


@admin.register(TaskRun)
class TaskRunAdmin(admin.ModelAdmin):
    list_display = ["task", "plie", "run_date", "started_at", "finished_at", "rows", "outcome", "attempts"]
    list_filter = ["task", "outcome"]
    date_hierarchy = "run_date"


@admin.register(AccessLog)
class AccessLogAdmin(admin.ModelAdmin):
    """The access journal, read-only: no addition, change or deletion (``plie.core.journal``)."""

    list_display = ["at", "plie", "acteur", "action", "participant_id", "objet", "nombre", "ip"]
    list_filter = ["action", "plie"]
    search_fields = ["acteur", "=participant_id"]
    date_hierarchy = "at"
    show_full_result_count = False

    def get_readonly_fields(self, request, obj=None):
        return [field.name for field in self.model._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(ApiToken)
class ApiTokenAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """API tokens, read-only: created and revoked on the « Jetons d'API » page or by
    ``manage.py creer_jeton`` (the secret is never stored, only its SHA-256)."""

    list_display = ["nom", "user", "prefixe", "ecriture", "created_at", "last_used_at", "revoked_at"]
    list_filter = ["ecriture"]
    search_fields = ["nom", "user__email", "prefixe"]
    exclude = ["empreinte"]
