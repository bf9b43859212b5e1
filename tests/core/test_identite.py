"""The PLIE's own name and logo (plie.core.identite): set by its administrateur through the
storage API, checked (PNG/JPEG, size, a whole image), shown in the header and on the PDFs."""

import io

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from plie.core import identite
from plie.core.scoping import scope_for
from plie.core.templatetags.pdf_tags import pdf_marque

URL = reverse("core:identite")


def png(largeur=60, hauteur=30, nom="logo.png"):
    contenu = io.BytesIO()
    Image.new("RGB", (largeur, hauteur), (29, 63, 114)).save(contenu, format="PNG")
    return SimpleUploadedFile(nom, contenu.getvalue(), content_type="image/png")


def test_the_administrateur_renames_the_plie_and_uploads_its_logo(client, world):
    client.force_login(world.admin_a)
    response = client.post(URL, {"nom": "PLIE Métropole Sud", "logo": png()})
    assert response.status_code == 302
    world.plie_a.refresh_from_db()
    assert world.plie_a.nom == "PLIE Métropole Sud"
    assert world.plie_a.logo.startswith(f"plies/{world.plie_a.pk}/logo-") and world.plie_a.logo.endswith(
        ".png"
    )
    assert default_storage.exists(world.plie_a.logo)
    # the header shows the logo and the name
    page = client.get(reverse("home")).content.decode()
    assert reverse("core:plie_logo", args=[world.plie_a.pk]) in page
    assert 'alt="PLIE Métropole Sud"' in page  # the logo carries the name
    logo = client.get(reverse("core:plie_logo", args=[world.plie_a.pk]))
    assert logo.status_code == 200 and logo["Content-Type"] == "image/png"


def test_a_new_logo_replaces_the_old_file_and_removing_it_falls_back_to_the_name(
    client, world, django_capture_on_commit_callbacks
):
    client.force_login(world.admin_a)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(URL, {"nom": "PLIE A", "logo": png()})
    world.plie_a.refresh_from_db()
    premier = world.plie_a.logo
    with django_capture_on_commit_callbacks(execute=True):
        client.post(URL, {"nom": "PLIE A", "logo": png(nom="autre.png")})
    world.plie_a.refresh_from_db()
    assert world.plie_a.logo != premier and not default_storage.exists(premier)
    second = world.plie_a.logo
    with django_capture_on_commit_callbacks(execute=True):
        client.post(URL, {"nom": "PLIE A", "retirer_logo": "on"})
    world.plie_a.refresh_from_db()
    assert world.plie_a.logo == "" and not default_storage.exists(second)
    page = client.get(reverse("home")).content.decode()
    assert (
        '<span class="brand-mark" aria-hidden="true">P</span><span class="brand-name">PLIE A</span>' in page
    )
    assert client.get(reverse("core:plie_logo", args=[world.plie_a.pk])).status_code == 404


@pytest.mark.parametrize(
    ("fichier", "message"),
    [
        (
            SimpleUploadedFile("logo.png", b"", content_type="image/png"),
            "Le fichier soumis est vide.",
        ),  # Django's own message
        (SimpleUploadedFile("logo.svg", b"<svg><script>alert(1)</script></svg>"), "PNG ou JPEG"),
        (SimpleUploadedFile("logo.png", b"\x89PNG\r\n\x1a\nrien"), "illisible ou incomplet"),
        (SimpleUploadedFile("logo.png", b"\x89PNG\r\n\x1a\n" + b"0" * 400_000), "300 Ko au plus"),
        (png(2400, 100), "2400 × 100 pixels"),
    ],
    ids=["vide", "svg", "tronque", "trop-lourd", "trop-grand"],
)
def test_a_bad_logo_is_refused_in_french_and_nothing_is_saved(client, world, fichier, message):
    client.force_login(world.admin_a)
    response = client.post(URL, {"nom": "Autre nom", "logo": fichier})
    assert response.status_code == 200
    assert message in " ".join(response.context["form"].errors["logo"])
    world.plie_a.refresh_from_db()
    assert (world.plie_a.nom, world.plie_a.logo) == ("PLIE A", "")


@pytest.mark.parametrize("persona", ["referent_a", "gestionnaire_a", "direction_a", "oi_user", "financeur"])
def test_only_the_administrateur_reaches_the_page(client, world, persona):
    client.force_login(getattr(world, persona))
    assert client.get(URL).status_code == 403
    assert client.post(URL, {"nom": "Piraté"}).status_code == 403
    world.plie_a.refresh_from_db()
    assert world.plie_a.nom == "PLIE A"


def test_plie_b_sees_nothing_of_plie_a_logo(client, world):
    identite.identite_update(scope=scope_for(world.admin_a), plie=world.plie_a, nom="PLIE A", fichier=png())
    client.force_login(world.referent_b)
    assert client.get(reverse("core:plie_logo", args=[world.plie_a.pk])).status_code == 404
    client.force_login(world.referent_a)
    assert client.get(reverse("core:plie_logo", args=[world.plie_a.pk])).status_code == 200


def test_the_service_refuses_someone_else(world):
    with pytest.raises(PermissionError):
        identite.identite_update(scope=scope_for(world.referent_a), plie=world.plie_a, nom="X")


def test_the_header_costs_no_query(client, world, django_assert_num_queries):
    """The name and logo come with the memberships (Scope.marques): the home page of a référent
    costs the same queries with or without a logo."""
    client.force_login(world.referent_a)
    client.get(reverse("home"))
    identite.identite_update(scope=scope_for(world.admin_a), plie=world.plie_a, nom="PLIE A", fichier=png())
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as avant:
        client.get(reverse("core:jetons"))
    assert scope_for(world.referent_a).marque[2] == world.plie_a.logo
    world.plie_a.logo = ""
    world.plie_a.save()
    with django_assert_num_queries(len(avant)):
        client.get(reverse("core:jetons"))


def test_the_pdf_header_embeds_the_logo_and_falls_back_to_the_name(world):
    assert pdf_marque(world.plie_a) == {"nom": "PLIE A", "logo": ""}
    identite.identite_update(scope=scope_for(world.admin_a), plie=world.plie_a, nom="PLIE A", fichier=png())
    marque = pdf_marque(world.plie_a)
    assert marque["logo"].startswith("data:image/png;base64,")
    assert pdf_marque("PLIE A, PLIE B") == {"nom": "PLIE A, PLIE B", "logo": ""}
