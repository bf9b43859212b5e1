import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from parcours.models import ImportParcours, Parcours
from participants.models import Participant
from tests.parcours.importation.helpers import csv_bytes, ligne

URL = reverse("parcours:import_list")


@pytest.fixture
def upload(client, django_capture_on_commit_callbacks):
    """Post a file; the task queued on commit runs (eagerly) before returning."""

    def post(content, name="ancien.csv", **data):
        with django_capture_on_commit_callbacks(execute=True):
            return client.post(URL, {"fichier": SimpleUploadedFile(name, content), **data})

    return post


def test_the_administrateur_imports_a_file_and_follows_it(client, world, upload):
    client.force_login(world.admin_a)
    response = upload(csv_bytes([ligne(), ligne(identifiant="L2", date_entree="01/01/2025")]))

    job = ImportParcours.objects.get()
    assert response.status_code == 302 and response.url == reverse("parcours:import_detail", args=[job.pk])
    assert (job.plie, job.created_by, job.status, job.progress) == (
        world.plie_a,
        world.admin_a,
        "termine",
        100,
    )
    assert job.compteurs["parcours_crees"] == 2
    assert Parcours.objects.filter(plie=world.plie_a, created_by=world.admin_a).count() == 2

    page = client.get(response.url).content.decode()
    assert "Import terminé." in page and "Parcours créés / modifiés / inchangés" in page
    assert "hx-get" not in page  # finished: no more polling

    listing = client.get(URL).content.decode()
    assert "ancien.csv" in listing and "Terminé" in listing


def test_a_wrong_file_is_rejected_with_a_downloadable_report(client, world, upload):
    client.force_login(world.admin_a)
    upload(
        csv_bytes(
            [ligne(sexe="X"), ligne(identifiant="L2", type_sortie="INCONNU", date_sortie="01/03/2024")]
        ),
    )

    job = ImportParcours.objects.get()
    assert (job.status, job.nb_erreurs) == ("rejete", 2)
    assert not Participant.objects.exists()
    page = client.get(reverse("parcours:import_detail", args=[job.pk])).content.decode()
    assert "Fichier refusé" in page and "le sexe s&#x27;écrit F ou M" in page

    response = client.get(reverse("parcours:import_erreurs", args=[job.pk]))
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    lines = response.content.decode("utf-8-sig").splitlines()
    assert lines[0] == "ligne;colonne;valeur;erreur"
    assert lines[1] == "2;sexe;X;« X » : le sexe s'écrit F ou M."
    assert lines[2].startswith("3;type_sortie;INCONNU;Code de sortie « INCONNU » absent")


def test_dry_run_from_the_page(client, world, upload):
    client.force_login(world.admin_a)
    upload(csv_bytes([ligne()]), dry_run="on")
    job = ImportParcours.objects.get()
    assert job.status == "termine" and job.dry_run and "rien n'a été importé" in job.message
    assert not Participant.objects.exists()


def test_the_progress_partial_polls_while_running(client, world):
    client.force_login(world.admin_a)
    job = ImportParcours.objects.create(
        plie=world.plie_a, nom_original="a.csv", status="validation", progress=40, lignes=2000
    )
    html = client.get(reverse("parcours:import_progress", args=[job.pk])).content.decode()
    assert 'hx-trigger="load delay:2s"' in html and "40 %" in html and "2000 lignes vérifiées" in html


def test_the_form_refuses_another_format(client, world, upload):
    client.force_login(world.admin_a)
    response = upload(b"%PDF", name="a.pdf")
    assert response.status_code == 200
    assert "Format de fichier non pris en charge (.pdf)" in response.content.decode()
    assert not ImportParcours.objects.exists()


@pytest.mark.parametrize(
    "persona,status", [("referent_a", 403), ("direction_a", 403), ("financeur", 403), ("no_role", 404)]
)
def test_only_the_administrateur_may_import(client, world, upload, persona, status):
    client.force_login(getattr(world, persona))
    assert client.get(URL).status_code == status
    assert upload(csv_bytes([ligne()])).status_code == status
    assert not ImportParcours.objects.exists()


def test_another_plie_sees_nothing(client, world):
    from plie.core.enums import Role
    from tests.factories import MembershipFactory, UserFactory

    job = ImportParcours.objects.create(
        plie=world.plie_a, nom_original="a.csv", erreurs=[[2, "sexe", "X", "faux"]]
    )
    admin_b = UserFactory()
    MembershipFactory(user=admin_b, structure=world.plie_b, role=Role.ADMINISTRATEUR)
    client.force_login(admin_b)
    assert "a.csv" not in client.get(URL).content.decode()
    for name in ("import_detail", "import_progress", "import_erreurs"):
        assert client.get(reverse(f"parcours:{name}", args=[job.pk])).status_code == 404


def test_the_list_query_count(client, world, django_assert_num_queries):
    for i in range(3):
        ImportParcours.objects.create(plie=world.plie_a, nom_original=f"{i}.csv", created_by=world.admin_a)
    client.force_login(world.admin_a)
    client.get(URL)
    # session, user, memberships (scope), the administered PLIE, count, page of imports (+ plie, user)
    with django_assert_num_queries(6):
        assert client.get(URL).status_code == 200


def test_an_administrateur_of_two_plie_chooses_where_to_import(client, world, upload):
    from plie.core.enums import Role
    from tests.factories import MembershipFactory

    MembershipFactory(user=world.admin_a, structure=world.plie_b, role=Role.ADMINISTRATEUR)
    client.force_login(world.admin_a)
    page = client.get(URL).content.decode()
    assert '<select name="plie"' in page and ">PLIE B</option>" in page

    upload(csv_bytes([ligne()]))  # no choice made
    assert not ImportParcours.objects.exists()

    upload(csv_bytes([ligne()]), plie=str(world.plie_b.pk))
    job = ImportParcours.objects.get()
    assert job.plie == world.plie_b and job.status == "termine"
    assert Participant.objects.get().plie == world.plie_b


def test_one_import_at_a_time_per_plie(client, world, upload):
    ImportParcours.objects.create(plie=world.plie_a, nom_original="a.csv", status="validation")
    client.force_login(world.admin_a)
    response = upload(csv_bytes([ligne()]))
    assert response.status_code == 200
    assert "Un import est déjà en cours pour ce PLIE" in response.content.decode()
    assert ImportParcours.objects.count() == 1
