from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from operations.models import ActionCollective, Inscription, Operation


@admin.register(Operation)
class OperationAdmin(SimpleHistoryAdmin):
    list_display = ["code", "intitule", "plie", "porteur", "date_debut", "date_fin", "places"]
    list_filter = ["plie", "programme"]
    search_fields = ["code", "intitule"]


@admin.register(Inscription)
class InscriptionAdmin(SimpleHistoryAdmin):
    list_display = ["participant", "operation", "date_entree", "date_sortie"]
    list_filter = ["operation__plie"]
    raw_id_fields = ["participant", "parcours", "report_de", "questionnaire_confirme_par"]


@admin.register(ActionCollective)
class ActionCollectiveAdmin(SimpleHistoryAdmin):
    list_display = ["intitule", "operation", "date", "lieu"]
    list_filter = ["operation__plie"]
