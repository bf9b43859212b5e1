from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from participants.models import Participant


@admin.register(Participant)
class ParticipantAdmin(SimpleHistoryAdmin):
    list_display = ["nom", "prenom", "date_naissance", "plie"]
    list_filter = ["plie"]
    search_fields = ["nom", "prenom"]
