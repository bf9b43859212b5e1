from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import render

from participants.models import Participant

PAGE_SIZE = 50


@login_required
def participant_list(request):
    participants = Participant.objects.visible_to(request.user).select_related("plie")
    page = Paginator(participants, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "participants/participant_list.html", {"page": page})
