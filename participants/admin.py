from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from participants.models import Participant
from plie.core import journal
from plie.core.enums import JournalAction
from plie.core.scoping import request_scope


@admin.register(Participant)
class ParticipantAdmin(SimpleHistoryAdmin):
    list_display = ["nom", "prenom", "date_naissance", "plie"]
    list_filter = ["plie"]
    search_fields = ["nom", "prenom"]

    def change_view(self, request, object_id, form_url="", extra_context=None):
        """A dossier opened in the administration is a read like any other (access journal)."""
        response = super().change_view(request, object_id, form_url, extra_context)
        if request.method == "GET" and response.status_code == 200:
            participant = self.get_object(request, object_id)
            if participant is not None:
                journal.record(
                    request_scope(request),
                    request,
                    JournalAction.CONSULTATION,
                    [participant],
                    objet="administration",
                )
        return response
