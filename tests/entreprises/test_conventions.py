"""Partnership conventions with donneurs d'ordre, SIAE and employing structures: the « en cours »
rule (no database), the service's French messages (nothing saved), the pages scoped across two
PLIE with their query counts, the signed copy through the storage API, and the count the call for
projects asks (seed 004 l.1851, l.1865–1867) in ``compteurs_periode``."""

import datetime

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from entreprises import regles, services
from entreprises.compteurs import compteurs_periode
from entreprises.models import Convention
from plie.core.scoping import scope_for
from tests.entreprises.factories import ConventionFactory, EmployeurFactory

D = datetime.date
PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def url(name, *args):
    return reverse(f"entreprises:{name}", args=args)


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(datetime.datetime(2026, 4, 15, 10, 0), tick=False):
        yield


# (case, signed on, start, end, expected for the year 2026)
EN_COURS = [
    ("signed, running all year", D(2025, 12, 1), D(2026, 1, 1), D(2026, 12, 31), True),
    ("no fixed term", D(2024, 1, 10), D(2024, 2, 1), None, True),
    ("not signed: not counted", None, D(2026, 1, 1), None, False),
    ("signed after the period", D(2027, 1, 5), D(2026, 6, 1), None, False),
    ("signed on the period's last day", D(2026, 12, 31), D(2026, 12, 31), None, True),
    ("ended the day before", D(2024, 1, 1), D(2024, 1, 1), D(2025, 12, 31), False),
    ("ends on the first day", D(2024, 1, 1), D(2024, 1, 1), D(2026, 1, 1), True),
    ("starts after the period", D(2026, 11, 1), D(2027, 1, 1), None, False),
]


@pytest.mark.parametrize(
    ("signature", "debut", "fin", "attendu"), [c[1:] for c in EN_COURS], ids=[c[0] for c in EN_COURS]
)
def test_a_convention_en_cours(signature, debut, fin, attendu):
    assert (
        regles.convention_en_cours(
            date_signature=signature, date_debut=debut, date_fin=fin, debut=D(2026, 1, 1), fin=D(2026, 12, 31)
        )
        is attendu
    )


@pytest.mark.parametrize(
    ("debut", "fin", "attendu"),
    [
        (
            D(2026, 3, 1),
            D(2026, 2, 28),
            {"date_fin": "La fin de la convention (28/02/2026) précède son début (01/03/2026)."},
        ),
        (D(2026, 3, 1), D(2026, 3, 1), {}),  # one day
        (D(2026, 3, 1), None, {}),  # no fixed term
        (None, D(2026, 3, 1), {"date_debut": "Indiquez la date de début de la convention."}),
    ],
)
def test_the_dates_of_a_convention(debut, fin, attendu):
    assert regles.convention_dates_errors(date_debut=debut, date_fin=fin) == attendu


VALUES = {
    "type_partenaire": "donneur_ordre",
    "employeur": None,
    "partenaire": "Métropole",
    "objet": "Clause d'insertion",
    "date_signature": D(2026, 1, 10),
    "date_debut": D(2026, 2, 1),
    "date_fin": D(2026, 12, 31),
}


def test_an_end_before_the_start_is_refused_with_nothing_saved(world):
    with pytest.raises(ValidationError) as error:
        services.convention_create(
            scope=scope_for(world.charge_a), plie_id=world.plie_a.pk, **{**VALUES, "date_fin": D(2026, 1, 31)}
        )
    assert error.value.message_dict == {
        "date_fin": ["La fin de la convention (31/01/2026) précède son début (01/02/2026)."]
    }
    assert not Convention.objects.exists()


def test_every_missing_answer_is_named(world):
    with pytest.raises(ValidationError) as error:
        services.convention_create(
            scope=scope_for(world.charge_a),
            plie_id=world.plie_a.pk,
            **{**VALUES, "type_partenaire": "", "partenaire": " ", "objet": ""},
        )
    assert error.value.message_dict == {
        "type_partenaire": ["Indiquez le type de partenaire."],
        "partenaire": ["Indiquez le partenaire, ou choisissez un employeur enregistré."],
        "objet": ["Indiquez l'objet de la convention."],
    }


def test_an_employer_of_another_plie_is_refused(world):
    employeur_b = EmployeurFactory(plie=world.plie_b)
    with pytest.raises(ValidationError) as error:
        services.convention_create(
            scope=scope_for(world.charge_a),
            plie_id=world.plie_a.pk,
            **{**VALUES, "type_partenaire": "siae", "employeur": employeur_b, "partenaire": ""},
        )
    assert error.value.message_dict == {"employeur": ["Cet employeur n'est pas un employeur de ce PLIE."]}
    assert not Convention.objects.exists()


def test_a_file_that_is_not_what_it_says_is_refused(world):
    with pytest.raises(ValidationError) as error:
        services.convention_create(
            scope=scope_for(world.charge_a),
            plie_id=world.plie_a.pk,
            document=SimpleUploadedFile(
                "convention.pdf", b"MZ\x90\x00 not a pdf", content_type="application/pdf"
            ),
            **VALUES,
        )
    assert list(error.value.message_dict) == ["document"]
    assert error.value.message_dict["document"][0].startswith("Convention signée : ")
    assert not Convention.objects.exists()


@pytest.mark.parametrize("persona", ["referent_a", "gestionnaire_a", "referent_b"])
def test_only_the_employer_side_writes(world, persona):
    with pytest.raises(PermissionDenied):
        services.convention_create(
            scope=scope_for(getattr(world, persona)), plie_id=world.plie_a.pk, **VALUES
        )


class TestPages:
    def test_plie_b_sees_nothing_of_plie_a(self, client, world):
        convention = ConventionFactory(plie=world.plie_a, document=SimpleUploadedFile("c.pdf", PDF))
        client.force_login(world.referent_b)
        assert list(client.get(url("convention_list")).context["page"]) == []
        for name in ("convention_detail", "convention_update", "convention_document"):
            assert client.get(url(name, convention.pk)).status_code == 404

    @pytest.mark.parametrize("persona", ["financeur", "no_role"])
    def test_no_employer_side_no_list(self, client, world, persona):
        client.force_login(getattr(world, persona))
        assert client.get(url("convention_list")).status_code == 404

    def test_a_referent_reads_but_does_not_write(self, client, world):
        convention = ConventionFactory(plie=world.plie_a)
        client.force_login(world.referent_a)
        assert client.get(url("convention_detail", convention.pk)).status_code == 200
        assert client.get(url("convention_update", convention.pk)).status_code == 403
        assert client.get(url("convention_create")).status_code == 403

    @pytest.mark.parametrize("count", [1, 12])
    def test_list_query_count(self, client, world, count, django_assert_num_queries):
        ConventionFactory.create_batch(count, plie=world.plie_a, avec_employeur=True)
        ConventionFactory(plie=world.plie_b)
        client.force_login(world.charge_a)
        # session, user, scope (memberships), count, the page of conventions with their employer
        with django_assert_num_queries(5):
            response = client.get(url("convention_list"))
        assert len(response.context["page"]) == count
        assert response.content.decode().count("En cours") == count

    def test_create_with_the_signed_copy_then_download_it(self, client, world):
        client.force_login(world.charge_a)
        employeur = EmployeurFactory(plie=world.plie_a, nom="Régie de quartier")
        response = client.post(
            url("convention_create"),
            {
                "plie": world.plie_a.pk,
                "type_partenaire": "siae",
                "employeur": employeur.pk,
                "objet": "Étapes de mise en situation de travail",
                "date_signature": "10/01/2026",
                "date_debut": "01/02/2026",
                "document": SimpleUploadedFile("Convention signée.pdf", PDF, content_type="application/pdf"),
            },
        )
        convention = Convention.objects.get()
        assert response.status_code == 302 and response["Location"] == url("convention_detail", convention.pk)
        assert (convention.employeur, convention.date_fin, convention.document_nom) == (
            employeur,
            None,
            "Convention signée.pdf",
        )
        assert convention.document.name.startswith(f"entreprises/{world.plie_a.pk}/conventions/")
        html = client.get(url("convention_detail", convention.pk)).content.decode()
        assert "Régie de quartier" in html and "sans terme fixé" in html
        download = client.get(url("convention_document", convention.pk))
        assert download.status_code == 200 and b"".join(download.streaming_content) == PDF
        assert download["Cache-Control"] == "private, no-store"

    def test_an_end_before_the_start_in_the_form(self, client, world):
        convention = ConventionFactory(plie=world.plie_a)
        client.force_login(world.charge_a)
        response = client.post(
            url("convention_update", convention.pk),
            {
                "type_partenaire": "donneur_ordre",
                "partenaire": "Métropole",
                "objet": "Clause",
                "date_signature": "15/12/2025",
                "date_debut": "01/03/2026",
                "date_fin": "28/02/2026",
            },
        )
        assert response.status_code == 200
        assert (
            "La fin de la convention (28/02/2026) précède son début (01/03/2026)."
            in response.content.decode()
        )
        convention.refresh_from_db()
        assert (convention.partenaire, convention.date_fin) == ("Agglomération d'Agen", D(2026, 12, 31))

    def test_the_employer_choice_is_limited_to_the_plie(self, client, world):
        EmployeurFactory(plie=world.plie_b, nom="Employeur de B")
        EmployeurFactory(plie=world.plie_a, nom="Employeur de A")
        client.force_login(world.charge_a)
        html = client.get(url("convention_create")).content.decode()
        assert "Employeur de A" in html and "Employeur de B" not in html


def test_the_count_of_a_period_and_the_operation_results(client, world):
    from tests.operations.factories import OperationFactory

    ConventionFactory(plie=world.plie_a)  # 2026
    ConventionFactory(plie=world.plie_a, avec_employeur=True, date_fin=None)  # no fixed term
    ConventionFactory(plie=world.plie_a, date_signature=None)  # not signed yet
    ConventionFactory(plie=world.plie_a, date_debut=D(2024, 1, 1), date_fin=D(2025, 6, 30))  # ended
    ConventionFactory(plie=world.plie_b)  # another PLIE
    assert compteurs_periode([world.plie_a.pk], D(2026, 1, 1), D(2026, 12, 31))["conventions"] == 2
    assert compteurs_periode([world.plie_a.pk], D(2025, 1, 1), D(2025, 12, 31))["conventions"] == 1
    assert (
        compteurs_periode([world.plie_a.pk, world.plie_b.pk], D(2026, 1, 1), D(2026, 12, 31))["conventions"]
        == 3
    )
    operation = OperationFactory(plie=world.plie_a)
    client.force_login(world.gestionnaire_a)
    html = client.get(reverse("operations:resultats", args=[operation.pk])).content.decode()
    assert 'id="conventions">2<' in html
