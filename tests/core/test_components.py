"""templates/components/: the pagination keeps every other GET parameter (a search, a filter)."""

import html
import re

import pytest
from django.core.paginator import Paginator
from django.template.loader import render_to_string
from django.urls import reverse

from tests.factories import ParticipantFactory


def page_links(content):
    """{label: href} of the pagination's links."""
    nav = re.search(r'<nav aria-label="Pagination">.*?</nav>', content, re.S)
    assert nav, "pas de pagination"
    return {
        label: html.unescape(href) for href, label in re.findall(r'href="([^"]*)">([^<]+)</a>', nav.group())
    }


def render_pagination(rf, url, number):
    page = Paginator(range(30), 10).get_page(number)
    return render_to_string("components/pagination.html", {"page": page}, request=rf.get(url))


def test_the_links_change_only_the_page_and_keep_the_other_parameters(rf):
    content = render_pagination(rf, "/participants/?q=dupont&plie=3&page=2", 2)
    assert page_links(content) == {
        "Précédente": "?q=dupont&plie=3&page=1",
        "Suivante": "?q=dupont&plie=3&page=3",
    }
    assert "Page 2 sur 3" in content


def test_the_first_page_of_a_search_links_to_the_second_with_the_search(rf):
    content = render_pagination(rf, "/participants/?q=h%C3%A9l%C3%A8ne+lef%C3%A8vre", 1)
    assert page_links(content) == {"Suivante": "?q=h%C3%A9l%C3%A8ne+lef%C3%A8vre&page=2"}


def test_a_single_page_has_no_pagination(rf):
    page = Paginator(range(3), 10).get_page(1)
    assert (
        render_to_string("components/pagination.html", {"page": page}, request=rf.get("/?q=x")).strip() == ""
    )


@pytest.mark.django_db
def test_page_2_of_a_participant_search_keeps_the_search(client, world, monkeypatch):
    monkeypatch.setattr("participants.views.PAGE_SIZE", 2)
    for prenom in ("Anne", "Bruno", "Chloé"):
        ParticipantFactory(plie=world.plie_a, nom="Martin", prenom=prenom)
    ParticipantFactory(plie=world.plie_a, nom="Zola", prenom="Émile")
    client.force_login(world.referent_a)
    url = reverse("participants:participant_list")

    first = client.post(url, {"q": "martin"}, follow=True)  # the search is kept in the session
    assert first.context["page"].paginator.count == 3
    assert page_links(first.content.decode()) == {"Suivante": "?page=2"}

    second = client.get(url + "?page=2")
    assert second.context["q"] == "martin"
    prenoms = [p.prenom for p in first.context["page"]] + [p.prenom for p in second.context["page"]]
    assert sorted(prenoms) == ["Anne", "Bruno", "Chloé"]  # Zola is no Martin
    assert page_links(second.content.decode()) == {"Précédente": "?page=1"}
