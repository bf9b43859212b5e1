"""The PLIE's exit referential configured by its administrateur (issue 5): who reads, who edits
(PLIE B, the financeur and the référents get 404; animation, direction and gestionnaire read,
403 on the forms), the French checks of the code and the criteria, uniqueness per PLIE, a code
kept once exits use it, deactivation keeping past exits, and the list's counted queries."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from pytest_django.asserts import assertContains, assertNotContains, assertRedirects

from parcours.enums import CategorieSortie
from parcours.forms_referentiel import criteres_text
from parcours.models import TypeSortie
from parcours.referentiels import TYPES_SORTIE, type_sortie_save
from parcours.services import types_sortie_of
from plie.core.enums import Role
from tests.factories import MembershipFactory, ParticipantFactory, user_with_role
from tests.parcours.factories import ParcoursFactory, SortieFactory

LIST_URL = reverse("parcours:referentiel_sorties")
CREATE_URL = reverse("parcours:type_sortie_create")
READERS = ["animateur_a", "gestionnaire_a", "direction_a"]
OUTSIDERS = ["referent_a", "referent_b", "financeur", "referent_operateur", "no_role"]


def update_url(type_sortie):
    return reverse("parcours:type_sortie_update", args=[type_sortie.pk])


def type_sortie(plie, code):
    return TypeSortie.objects.get(plie=plie, code=code)


def post_data(**overrides):
    data = {
        "code": "CDD_4M",
        "libelle": "CDD de 4 à 6 mois",
        "categorie": CategorieSortie.POSITIVE_AUTRE,
        "criteres": '[{"type": "duree_emploi", "mois": 4}]',
        "commission_requise": "on",
        "is_active": "on",
        "ordre": "185",
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


def with_sortie(type_sortie):
    parcours = ParcoursFactory(participant=ParticipantFactory(plie=type_sortie.plie), sorti=True)
    return SortieFactory(parcours=parcours, type=type_sortie)


# --- the list -----------------------------------------------------------------------------------


class TestList:
    def test_the_administrateur_sees_the_referential_in_french(self, client, world):
        client.force_login(world.admin_a)
        response = client.get(LIST_URL)
        assert response.status_code == 200
        assert [t.code for t in response.context["types"]] == [row[0] for row in TYPES_SORTIE]
        for text in (
            "PLIE A",
            "<code>INTERIM_6M</code>",
            "Intérim (900 h dans la même agence sur 9 mois ou 6 mois sans interruption)",
            "Positive — emploi durable",
            "900 h sur 9 mois glissants chez le même employeur ou 6 mois d&#x27;emploi sans interruption",
            "Neutralisée (administrative)",
        ):
            assertContains(response, text)
        assertContains(response, f"{CREATE_URL}?plie=plie-a")
        assertContains(response, update_url(type_sortie(world.plie_a, "CDI")))
        # PLIE B's rows are not there
        assertNotContains(response, update_url(type_sortie(world.plie_b, "CDI")))

    @pytest.mark.parametrize("persona", READERS)
    def test_the_other_roles_of_the_plie_read_only(self, client, world, persona):
        client.force_login(getattr(world, persona))
        response = client.get(LIST_URL)
        assert response.status_code == 200
        assert response.context["plie"] == world.plie_a
        assertContains(response, "<code>CDI</code>", html=False)
        assertContains(response, "seul l'administrateur du PLIE modifie ce référentiel")
        assertNotContains(response, CREATE_URL)
        assertNotContains(response, update_url(type_sortie(world.plie_a, "CDI")))

    @pytest.mark.parametrize("persona", OUTSIDERS)
    def test_nobody_else_sees_it(self, client, world, persona):
        client.force_login(getattr(world, persona))
        assert client.get(LIST_URL).status_code == 404

    def test_plie_b_is_not_reachable_by_its_code(self, client, world):
        client.force_login(world.admin_a)
        assert client.get(LIST_URL, {"plie": "plie-b"}).status_code == 404
        assert client.get(LIST_URL, {"plie": "inconnu"}).status_code == 404

    def test_a_user_over_several_plie_picks_one(self, client, world):
        client.force_login(world.oi_user)  # direction of the OI: PLIE A and B, read only
        response = client.get(LIST_URL)
        assert response.context["plie"] == world.plie_a
        assert response.context["plies"] == [world.plie_a, world.plie_b]
        assertContains(response, 'href="?plie=plie-b"')
        response = client.get(LIST_URL, {"plie": "plie-b"})
        assert response.context["plie"] == world.plie_b
        assert not response.context["can_edit"]
        assert client.get(LIST_URL, {"plie": "plie-c"}).status_code == 404

    def test_the_administrateur_of_two_plie_edits_the_one_chosen(self, client, world):
        admin = user_with_role(Role.ADMINISTRATEUR, world.plie_b)
        MembershipFactory(user=admin, structure=world.plie_a, role=Role.DIRECTION)
        client.force_login(admin)
        # by default the PLIE they administer, though PLIE A comes first by name
        response = client.get(LIST_URL)
        assert response.context["plie"] == world.plie_b
        assert response.context["can_edit"]
        response = client.get(LIST_URL, {"plie": "plie-a"})
        assert not response.context["can_edit"]
        assert client.get(CREATE_URL, {"plie": "plie-a"}).status_code == 403
        assert client.get(CREATE_URL, {"plie": "plie-b"}).status_code == 200

    def test_inactive_types_and_their_exits_are_shown(self, client, world):
        cdi = type_sortie(world.plie_a, "CDI")
        with_sortie(cdi)
        TypeSortie.objects.filter(pk=cdi.pk).update(is_active=False)
        client.force_login(world.admin_a)
        response = client.get(LIST_URL)
        row = next(t for t in response.context["types"] if t.code == "CDI")
        assert (row.is_active, row.nb_sorties) == (False, 1)
        assertContains(response, "Inactif")
        assertContains(response, "17 actifs sur 18")

    @pytest.mark.parametrize("extra", [0, 20])
    def test_query_count(self, client, world, extra, django_assert_num_queries):
        for rank in range(extra):
            TypeSortie.objects.create(
                plie=world.plie_a, code=f"X{rank}", libelle=f"Autre {rank}", categorie=CategorieSortie.AUTRE
            )
        with_sortie(type_sortie(world.plie_a, "CDI"))
        client.force_login(world.admin_a)
        # session, user, memberships; the PLIE read; the types with their number of exits
        with django_assert_num_queries(5):
            response = client.get(LIST_URL)
        assert len(response.context["types"]) == len(TYPES_SORTIE) + extra


# --- create and update --------------------------------------------------------------------------


class TestCreate:
    def test_the_form_and_a_new_type(self, client, world):
        client.force_login(world.admin_a)
        response = client.get(CREATE_URL)
        assertContains(response, "Nouveau type de sortie")
        assert response.context["form"]["ordre"].value() == 190  # after the last one (180)
        response = client.post(CREATE_URL, post_data(code=" cdd_4m "))
        assertRedirects(response, LIST_URL, fetch_redirect_response=False)
        created = type_sortie(world.plie_a, "CDD_4M")
        assert (created.libelle, created.categorie, created.criteres) == (
            "CDD de 4 à 6 mois",
            CategorieSortie.POSITIVE_AUTRE,
            [{"type": "duree_emploi", "mois": 4}],
        )
        assert (created.commission_requise, created.is_active, created.ordre) == (True, True, 185)
        assert created.history.get().history_user == world.admin_a
        assert created in types_sortie_of(world.plie_a.pk)
        assert not TypeSortie.objects.filter(plie=world.plie_b, code="CDD_4M").exists()

    def test_no_rule_is_an_empty_list(self, client, world):
        client.force_login(world.admin_a)
        client.post(CREATE_URL, post_data(code="SALON", criteres="", categorie=CategorieSortie.AUTRE))
        assert type_sortie(world.plie_a, "SALON").criteres == []

    def test_a_code_is_unique_in_the_plie(self, client, world):
        client.force_login(world.admin_a)
        response = client.post(CREATE_URL, post_data(code="cdi"))
        assert response.status_code == 400
        assert response.context["form"].errors == {
            "code": ["Le code « CDI » existe déjà dans le référentiel de ce PLIE."]
        }
        assert TypeSortie.objects.filter(plie=world.plie_a, code="CDI").count() == 1

    def test_the_same_code_in_another_plie_is_fine(self, client, world):
        TypeSortie.objects.filter(plie=world.plie_b, code="ABANDON").update(code="ABANDON_B")
        client.force_login(world.admin_a)
        response = client.post(CREATE_URL, post_data(code="ABANDON_B"))
        assert response.status_code == 302

    @pytest.mark.parametrize(
        ("criteres", "messages"),
        [
            ('[{"type": "duree_emploi", "mois": 6}', None),  # JSON invalide
            (
                '[{"type": "duree_emploi"}]',
                ["Critère n° 1 (duree_emploi) : le paramètre « mois » manque."],
            ),
            (
                '[{"type": "anciennete", "mois": 6}]',
                [
                    "Critère n° 1 : type « anciennete » inconnu (types possibles : apres_debut, "
                    "duree_emploi, duree_fenetre, fin_formation, heures_fenetre, semaines_fenetre)."
                ],
            ),
            (
                '[{"type": "heures_fenetre", "heures": -900, "fenetre_mois": 9}]',
                ["Critère n° 1 (heures_fenetre) : « heures » doit être strictement positif."],
            ),
            (
                '{"type": "duree_emploi", "mois": 6}',
                ["Les critères s'écrivent comme une liste entre crochets : [ {…}, {…} ]."],
            ),
        ],
    )
    def test_the_criteria_are_checked_in_french(self, client, world, criteres, messages):
        client.force_login(world.admin_a)
        response = client.post(CREATE_URL, post_data(criteres=criteres))
        assert response.status_code == 400
        errors = response.context["form"].errors
        assert list(errors) == ["criteres"]
        if messages is None:
            assert errors["criteres"][0].startswith("JSON invalide : erreur ligne 1, colonne ")
        else:
            assert errors["criteres"] == messages
        assertContains(response, "Le formulaire n'a pas été enregistré", status_code=400)
        assert not TypeSortie.objects.filter(code="CDD_4M").exists()

    def test_the_other_fields_are_checked_in_french(self, client, world):
        client.force_login(world.admin_a)
        response = client.post(CREATE_URL, post_data(code="CDD-6-MOIS-É", libelle="", categorie="", ordre=""))
        assert response.context["form"].errors == {
            "code": [
                "Le code s'écrit en lettres sans accents, chiffres, « _ » ou « - » (par exemple CDD_6M)."
            ],
            "libelle": ["Ce champ est obligatoire."],
            "categorie": ["Ce champ est obligatoire."],
            "ordre": ["Ce champ est obligatoire."],
        }

    @pytest.mark.parametrize("persona", READERS)
    def test_readers_get_a_403(self, client, world, persona):
        client.force_login(getattr(world, persona))
        assert client.get(CREATE_URL).status_code == 403
        assert client.post(CREATE_URL, post_data()).status_code == 403
        assert not TypeSortie.objects.filter(code="CDD_4M").exists()

    @pytest.mark.parametrize("persona", OUTSIDERS)
    def test_outsiders_get_a_404(self, client, world, persona):
        client.force_login(getattr(world, persona))
        assert client.get(CREATE_URL).status_code == 404
        assert client.post(CREATE_URL, post_data()).status_code == 404

    def test_the_administrateur_of_a_cannot_create_in_b(self, client, world):
        client.force_login(world.admin_a)
        assert client.post(f"{CREATE_URL}?plie=plie-b", post_data()).status_code == 404
        assert not TypeSortie.objects.filter(code="CDD_4M").exists()


class TestUpdate:
    def test_the_form_shows_the_current_values(self, client, world):
        interim = type_sortie(world.plie_a, "INTERIM_6M")
        client.force_login(world.admin_a)
        response = client.get(update_url(interim))
        form = response.context["form"]
        assert form["code"].value() == "INTERIM_6M"
        assert not form.fields["code"].disabled
        assert form["criteres"].value() == criteres_text(interim.criteres)
        assertContains(response, "&quot;meme_employeur&quot;: true")

    def test_a_change_of_rule(self, client, world):
        cdi = type_sortie(world.plie_a, "CDI")
        client.force_login(world.admin_a)
        response = client.post(
            update_url(cdi),
            post_data(
                code="CDI",
                libelle="CDI (temps plein ou partiel choisi)",
                categorie=CategorieSortie.EMPLOI_DURABLE,
                criteres='[{"type": "duree_emploi", "mois": 4}]',
                commission_requise=None,
                ordre="10",
            ),
        )
        assertRedirects(response, LIST_URL, fetch_redirect_response=False)
        cdi.refresh_from_db()
        assert (cdi.libelle, cdi.criteres, cdi.commission_requise) == (
            "CDI (temps plein ou partiel choisi)",
            [{"type": "duree_emploi", "mois": 4}],
            False,
        )
        assert cdi.history.latest().history_user == world.admin_a

    def test_the_code_of_a_used_type_is_kept(self, client, world):
        cdi = type_sortie(world.plie_a, "CDI")
        with_sortie(cdi)
        client.force_login(world.admin_a)
        response = client.get(update_url(cdi))
        assert response.context["form"].fields["code"].disabled
        assertContains(response, "Des sorties sont enregistrées avec ce code : il ne peut plus changer.")
        # a disabled field ignores what is posted
        client.post(update_url(cdi), post_data(code="CDI_NOUVEAU", categorie=CategorieSortie.EMPLOI_DURABLE))
        cdi.refresh_from_db()
        assert (cdi.code, cdi.libelle) == ("CDI", "CDD de 4 à 6 mois")

    def test_the_code_of_an_unused_type_may_change_but_stays_unique(self, client, world):
        sante = type_sortie(world.plie_a, "SANTE")
        client.force_login(world.admin_a)
        response = client.post(update_url(sante), post_data(code="RETRAITE"))
        assert response.context["form"].errors == {
            "code": ["Le code « RETRAITE » existe déjà dans le référentiel de ce PLIE."]
        }
        client.post(update_url(sante), post_data(code="SANTE_HANDICAP"))
        sante.refresh_from_db()
        assert sante.code == "SANTE_HANDICAP"

    def test_deactivating_keeps_past_exits(self, client, world):
        abandon = type_sortie(world.plie_a, "ABANDON")
        sortie = with_sortie(abandon)
        client.force_login(world.admin_a)
        response = client.post(
            update_url(abandon),
            post_data(
                code="ABANDON",
                libelle="Abandon",
                categorie=CategorieSortie.ABANDON,
                criteres="[]",
                commission_requise=None,
                is_active=None,
            ),
        )
        assert response.status_code == 302
        abandon.refresh_from_db()
        assert not abandon.is_active
        sortie.refresh_from_db()
        assert sortie.type == abandon
        assert abandon not in types_sortie_of(world.plie_a.pk)
        messages = [str(m) for m in response.wsgi_request._messages]
        assert messages == [
            "Type de sortie « Abandon » enregistré "
            "(inactif : il n'est plus proposé pour les nouvelles sorties)."
        ]

    @pytest.mark.parametrize("persona", READERS)
    def test_readers_get_a_403(self, client, world, persona):
        cdi = type_sortie(world.plie_a, "CDI")
        client.force_login(getattr(world, persona))
        assert client.get(update_url(cdi)).status_code == 403
        assert client.post(update_url(cdi), post_data(code="CDI")).status_code == 403
        cdi.refresh_from_db()
        assert cdi.libelle == "CDI"

    @pytest.mark.parametrize("persona", OUTSIDERS)
    def test_outsiders_get_a_404(self, client, world, persona):
        cdi = type_sortie(world.plie_a, "CDI")
        client.force_login(getattr(world, persona))
        assert client.get(update_url(cdi)).status_code == 404

    def test_a_type_of_plie_b_is_a_404_for_the_administrateur_of_a(self, client, world):
        cdi_b = type_sortie(world.plie_b, "CDI")
        client.force_login(world.admin_a)
        assert client.get(update_url(cdi_b)).status_code == 404
        assert client.post(update_url(cdi_b), post_data(code="CDI")).status_code == 404


# --- the service --------------------------------------------------------------------------------


class TestTypeSortieSave:
    def values(self, **overrides):
        return {
            "code": "CDD_4M",
            "libelle": "CDD de 4 à 6 mois",
            "categorie": CategorieSortie.POSITIVE_AUTRE,
            "criteres": [],
            **overrides,
        }

    def test_only_the_administrateur_of_the_plie(self, world):
        for user in (world.animateur_a, world.direction_a, world.referent_b):
            with pytest.raises(PermissionDenied):
                type_sortie_save(user=user, plie=world.plie_a, **self.values())
        with pytest.raises(PermissionDenied):  # a type of another PLIE
            type_sortie_save(
                user=world.admin_a,
                plie=world.plie_a,
                type_sortie=type_sortie(world.plie_b, "CDI"),
                **self.values(),
            )

    def test_it_checks_everything_in_french(self, world):
        cdi = type_sortie(world.plie_a, "CDI")
        with_sortie(cdi)
        with pytest.raises(ValidationError) as error:
            type_sortie_save(
                user=world.admin_a,
                plie=world.plie_a,
                type_sortie=cdi,
                **self.values(code="CDI_2", libelle=" ", categorie="emploi", criteres=[{"mois": 6}]),
                ordre=-1,
            )
        assert error.value.message_dict == {
            "code": [
                "Le code « CDI » est déjà utilisé par des sorties enregistrées : il ne peut plus changer."
            ],
            "libelle": ["Le libellé est obligatoire."],
            "categorie": ["Choisissez la catégorie de la sortie."],
            "criteres": [
                "Critère n° 1 : le type manque (types possibles : apres_debut, duree_emploi, "
                "duree_fenetre, fin_formation, heures_fenetre, semaines_fenetre)."
            ],
            "ordre": ["L'ordre est un nombre entier entre 0 et 32767."],
        }
