"""Links built by views (``plie.core.urls_helpers``)."""

import pytest
from django.test import RequestFactory
from django.urls import reverse

from plie.core.urls_helpers import next_param, safe_next_url, url_par_pk


@pytest.mark.parametrize("pk", [1, 7, 2147483646, 12345678901])
def test_url_par_pk_builds_what_reverse_builds(pk):
    url = url_par_pk("participants:participant_detail")
    assert url(pk) == reverse("participants:participant_detail", args=[pk])


def test_url_par_pk_appends_the_query_untouched():
    url = url_par_pk("parcours:parcours_detail", "?next=/x/2147483647/")
    assert url(5) == reverse("parcours:parcours_detail", args=[5]) + "?next=/x/2147483647/"


@pytest.mark.parametrize(
    ("target", "expected"),
    [
        ("/participants/", "/participants/"),
        ("", "/defaut/"),
        ("https://ailleurs.example/", "/defaut/"),
        ("//ailleurs.example/", "/defaut/"),
        ("javascript:alert(1)", "/defaut/"),
    ],
)
def test_safe_next_url_only_goes_back_to_this_site(target, expected):
    request = RequestFactory().get("/", {"next": target})
    assert next_param(request) == target
    assert safe_next_url(request, "/defaut/") == expected


def test_a_posted_next_wins_over_the_query_string():
    request = RequestFactory().post("/?next=/de-la-requete/", {"next": "/du-formulaire/"})
    assert next_param(request) == "/du-formulaire/"
    assert safe_next_url(request, "/defaut/") == "/du-formulaire/"
