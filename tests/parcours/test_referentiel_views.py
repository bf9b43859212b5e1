"""The PLIE's exit referential configured by its administrateur (issue 5): who reads, who edits
(PLIE B, the financeur and the référents get 404; animation, direction and gestionnaire read,
403 on the forms), the French checks of the code and the criteria, uniqueness per PLIE, a code
kept once exits use it, deactivation keeping past exits, and the list's counted queries.

The same for the step types (common ones read-only, the PLIE's own ones edited by its
administrateur, the étape form offering only the active ones) and the Département's class of
each exit type."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from pytest_django.asserts import assertContains, assertNotContains, assertRedirects

from parcours.enums import CategorieEtape, CategorieSortie
from parcours.forms import EtapeForm
from parcours.forms_referentiel import criteres_post_data
from parcours.models import TypeEtape, TypeSortie
from parcours.referentiels import TYPES_ETAPE, TYPES_SORTIE, type_etape_save, type_sortie_save
from parcours.services import types_sortie_of
from plie.core.enums import Role
from plie.core.scoping import scope_for
from tests.factories import MembershipFactory, ParticipantFactory, user_with_role
from tests.parcours.factories import EtapeFactory, ParcoursFactory, SortieFactory

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
        "criteres": [{"type": "duree_emploi", "mois": 4}],
        "commission_requise": "on",
        "is_active": "on",
        "ordre": "185",
    }
    data.update(overrides)
    data.update(criteres_post_data(data.pop("criteres")))  # the rows of the criteria, as posted
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
            "Intérim (900 h dans la même agence sur les 9 derniers mois, ou 6 mois sans interruption dans la "
            "même agence)",
            "Positive — emploi durable",
            "900 h sur les 9 derniers mois chez le même employeur (même agence) ou 6 mois d&#x27;emploi sans "
            "interruption chez le même employeur (même agence)",
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
        assertContains(response, "18 actifs sur 19")

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
        assert response.context["form"]["ordre"].value() == 200  # after the last one (190)
        assertContains(response, "Même employeur / même agence")
        assertContains(response, "Minimum d&#x27;heures par semaine")
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
        client.post(CREATE_URL, post_data(code="SALON", criteres=[], categorie=CategorieSortie.AUTRE))
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
        ("row", "errors"),
        [
            (
                {"type": "duree_emploi"},
                {"mois": ["« Durée (mois) » est obligatoire pour ce type de critère."]},
            ),
            ({"mois": "6"}, {"type": ["Choisissez le type de critère (ou videz la ligne)."]}),
            (
                {"type": "heures_fenetre", "heures": "-900", "fenetre_mois": "9"},
                {"heures": ["« Heures » doit être strictement positif."]},
            ),
            (
                {"type": "duree_fenetre", "mois": "10", "fenetre_mois": "9"},
                {
                    "mois": [
                        "« Durée (mois) » (10) dépasse « Sur les derniers (mois) » (9) : la règle ne "
                        "pourrait jamais être remplie."
                    ]
                },
            ),
            (
                {"type": "duree_emploi", "mois": "12", "heures_hebdo_min": "60"},
                {"heures_hebdo_min": ["« Minimum d'heures par semaine » ne peut pas dépasser 48 h."]},
            ),
            (
                {"type": "duree_emploi", "mois": "12", "fenetre_mois": "9"},
                {"fenetre_mois": ["« Sur les derniers (mois) » ne s'applique pas à ce type de critère."]},
            ),
            (
                {"type": "apres_debut", "mois": "6", "meme_employeur": "on"},
                {
                    "meme_employeur": [
                        "« Même employeur / même agence » ne s'applique pas à ce type de critère."
                    ]
                },
            ),
            ({"type": "anciennete", "mois": "6"}, {"type": None}),  # not a choice: Django's message
        ],
    )
    def test_the_criteria_are_checked_in_french(self, client, world, row, errors):
        """Each figure is checked on its own field of the criterion's row, in French; contradictory
        figures are refused on the field at fault; nothing is saved."""
        client.force_login(world.admin_a)
        data = post_data(criteres=[])
        data.update({f"criteres-0-{name}": value for name, value in row.items()})
        response = client.post(CREATE_URL, data)
        assert response.status_code == 400
        assert response.context["form"].errors == {}
        row_errors = response.context["criteres"].forms[0].errors
        assert list(row_errors) == list(errors)
        for field, messages in errors.items():
            if messages is not None:
                assert row_errors[field] == messages
        assertContains(response, "Le formulaire n'a pas été enregistré", status_code=400)
        assert not TypeSortie.objects.filter(code="CDD_4M").exists()

    def test_a_rule_with_every_option(self, client, world):
        client.force_login(world.admin_a)
        criteres = [
            {"type": "duree_emploi", "mois": 12, "meme_employeur": True, "heures_hebdo_min": 20},
            {"type": "heures_fenetre", "heures": 1200.5, "fenetre_mois": 12},
        ]
        response = client.post(CREATE_URL, post_data(criteres=criteres))
        assert response.status_code == 302
        assert type_sortie(world.plie_a, "CDD_4M").criteres == criteres

    def test_a_row_is_deleted(self, client, world):
        client.force_login(world.admin_a)
        data = post_data(criteres=[{"type": "duree_emploi", "mois": 4}, {"type": "duree_emploi", "mois": 6}])
        data["criteres-0-DELETE"] = "on"
        assert client.post(CREATE_URL, data).status_code == 302
        assert type_sortie(world.plie_a, "CDD_4M").criteres == [{"type": "duree_emploi", "mois": 6}]

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
        rows = response.context["criteres"].forms
        assert [
            (row["type"].value(), row["heures"].value(), row["fenetre_mois"].value()) for row in rows[:2]
        ] == [
            ("heures_fenetre", 900, 9),
            ("duree_emploi", None, None),
        ]
        assert rows[0]["meme_employeur"].value() is True and rows[1]["mois"].value() == 6
        assert len(rows) == 4  # and two empty rows to add criteria
        assertNotContains(response, "&quot;type&quot;")  # never JSON

    def test_a_change_of_rule(self, client, world):
        cdi = type_sortie(world.plie_a, "CDI")
        client.force_login(world.admin_a)
        response = client.post(
            update_url(cdi),
            post_data(
                code="CDI",
                libelle="CDI (temps plein ou partiel choisi)",
                categorie=CategorieSortie.EMPLOI_DURABLE,
                criteres=[{"type": "duree_emploi", "mois": 4}],
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
                criteres=[],
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
                type_sortie_save(scope=scope_for(user), plie=world.plie_a, **self.values())
        with pytest.raises(PermissionDenied):  # a type of another PLIE
            type_sortie_save(
                scope=scope_for(world.admin_a),
                plie=world.plie_a,
                type_sortie=type_sortie(world.plie_b, "CDI"),
                **self.values(),
            )

    def test_it_checks_everything_in_french(self, world):
        cdi = type_sortie(world.plie_a, "CDI")
        with_sortie(cdi)
        with pytest.raises(ValidationError) as error:
            type_sortie_save(
                scope=scope_for(world.admin_a),
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
                "Critère n° 1 : le type de critère manque (types possibles : apres_debut, duree_emploi, "
                "duree_fenetre, fin_formation, heures_fenetre, semaines_fenetre)."
            ],
            "ordre": ["L'ordre est un nombre entier entre 0 et 32767."],
        }


# --- the Département's class of an exit type ---------------------------------------------------


class TestCategorieDepartement:
    def test_shown_in_the_list_and_the_form(self, client, world):
        client.force_login(world.admin_a)
        response = client.get(LIST_URL)
        assertContains(response, "Nomenclature du Département")
        assertContains(response, "<td>Emploi durable</td>", html=True)
        assertContains(response, "<td>Sortie positive</td>", html=True)
        response = client.get(update_url(type_sortie(world.plie_a, "CDI")))
        assertContains(response, "Classement dans la nomenclature du Département")
        assert response.context["form"]["categorie_departement"].value() == "emploi_durable"

    def test_the_administrateur_sets_it(self, client, world):
        client.force_login(world.admin_a)
        response = client.post(CREATE_URL, post_data(categorie_departement="emploi_transition"))
        assert response.status_code == 302
        assert type_sortie(world.plie_a, "CDD_4M").categorie_departement == "emploi_transition"
        sante = type_sortie(world.plie_a, "SANTE")
        client.post(
            update_url(sante),
            post_data(code="SANTE", categorie=CategorieSortie.AUTRE, categorie_departement="positive"),
        )
        sante.refresh_from_db()
        assert sante.categorie_departement == "positive"
        assert sante.history.latest().categorie_departement == "positive"

    def test_an_unknown_class_is_refused_in_french(self, client, world):
        client.force_login(world.admin_a)
        response = client.post(CREATE_URL, post_data(categorie_departement="durable"))
        assert response.status_code == 400
        assert list(response.context["form"].errors) == ["categorie_departement"]
        with pytest.raises(ValidationError) as error:
            type_sortie_save(
                scope=scope_for(world.admin_a),
                plie=world.plie_a,
                code="X",
                libelle="X",
                categorie=CategorieSortie.AUTRE,
                criteres=[],
                categorie_departement="durable",
            )
        assert error.value.message_dict == {
            "categorie_departement": ["Choisissez le classement dans la nomenclature du Département."]
        }

    def test_the_service_defaults_it_from_the_category(self, world):
        created = type_sortie_save(
            scope=scope_for(world.admin_a),
            plie=world.plie_a,
            code="CDI_TEMPS_PARTIEL",
            libelle="CDI à temps partiel",
            categorie=CategorieSortie.EMPLOI_DURABLE,
            criteres=[],
        )
        assert created.categorie_departement == "emploi_durable"
        created.categorie_departement = ""
        created.save()
        type_sortie_save(  # not given: kept as set
            scope=scope_for(world.admin_a),
            plie=world.plie_a,
            type_sortie=created,
            code="CDI_TEMPS_PARTIEL",
            libelle="CDI à temps partiel",
            categorie=CategorieSortie.EMPLOI_DURABLE,
            criteres=[],
        )
        created.refresh_from_db()
        assert created.categorie_departement == ""


# --- the step types -----------------------------------------------------------------------------

ETAPES_URL = reverse("parcours:referentiel_etapes")
ETAPE_CREATE_URL = reverse("parcours:type_etape_create")
MAL_FORME = "Le code s'écrit en minuscules sans accents, chiffres, « - » ou « _ » (par exemple atelier-cv)."


def etape_update_url(type_etape):
    return reverse("parcours:type_etape_update", args=[type_etape.pk])


def etape_data(**overrides):
    data = {
        "code": "atelier-cv",
        "libelle": "Atelier CV",
        "categorie": CategorieEtape.MOBILISATION,
        "is_active": "on",
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


def own_type(plie, code="atelier-cv", **kwargs):
    return TypeEtape.objects.create(
        plie=plie,
        code=code,
        libelle=kwargs.pop("libelle", "Atelier CV"),
        categorie=CategorieEtape.MOBILISATION,
        **kwargs,
    )


def commun(code="atelier-mobilisation"):
    return TypeEtape.objects.get(plie__isnull=True, code=code)


class TestEtapesList:
    def test_common_and_own_types_with_their_number_of_etapes(self, client, world):
        mine = own_type(world.plie_a)
        other = own_type(world.plie_b, code="atelier-b", libelle="Atelier de PLIE B")
        for _ in range(2):
            EtapeFactory(
                type=mine, parcours=ParcoursFactory(participant=ParticipantFactory(plie=world.plie_a))
            )
        EtapeFactory(
            type=commun(), parcours=ParcoursFactory(participant=ParticipantFactory(plie=world.plie_a))
        )
        # an étape of PLIE B of a common type is not counted for PLIE A
        EtapeFactory(
            type=commun(), parcours=ParcoursFactory(participant=ParticipantFactory(plie=world.plie_b))
        )
        client.force_login(world.admin_a)
        response = client.get(ETAPES_URL)
        assert response.status_code == 200
        types = {t.code: t for t in response.context["types"]}
        assert set(types) == {row[0] for row in TYPES_ETAPE} | {"atelier-cv"}
        assert (types["atelier-cv"].nb_etapes, types["atelier-mobilisation"].nb_etapes) == (2, 1)
        assert types["bilan-orientation"].nb_etapes == 0
        assertContains(response, ">commun à tous les PLIE</span>", count=len(TYPES_ETAPE))
        assertContains(response, "Propre au PLIE", count=1)
        assertContains(response, etape_update_url(mine))
        assertNotContains(response, etape_update_url(commun()))
        assertNotContains(response, other.libelle)
        assertContains(response, f"{ETAPE_CREATE_URL}?plie=plie-a")
        # the tabs between the two referentials
        assertContains(response, f'href="{LIST_URL}?plie=plie-a">Sorties</a>')
        assertContains(response, f'aria-current="page" href="{ETAPES_URL}?plie=plie-a">Étapes</a>')
        sorties = client.get(LIST_URL)
        assertContains(sorties, f'href="{ETAPES_URL}?plie=plie-a">Étapes</a>')

    @pytest.mark.parametrize("persona", READERS)
    def test_the_other_roles_of_the_plie_read_only(self, client, world, persona):
        mine = own_type(world.plie_a)
        client.force_login(getattr(world, persona))
        response = client.get(ETAPES_URL)
        assert response.status_code == 200
        assert not response.context["can_edit"]
        assertContains(response, "seul l'administrateur du PLIE modifie ce référentiel")
        assertNotContains(response, ETAPE_CREATE_URL)
        assertNotContains(response, etape_update_url(mine))

    @pytest.mark.parametrize("persona", OUTSIDERS)
    def test_nobody_else_sees_it(self, client, world, persona):
        client.force_login(getattr(world, persona))
        assert client.get(ETAPES_URL).status_code == 404

    def test_plie_b_is_not_reachable_by_its_code(self, client, world):
        client.force_login(world.admin_a)
        assert client.get(ETAPES_URL, {"plie": "plie-b"}).status_code == 404

    @pytest.mark.parametrize("extra", [0, 20])
    def test_query_count(self, client, world, extra, django_assert_num_queries):
        for rank in range(extra):
            mine = own_type(world.plie_a, code=f"type-{rank}", libelle=f"Type {rank}")
            EtapeFactory(
                type=mine, parcours=ParcoursFactory(participant=ParticipantFactory(plie=world.plie_a))
            )
        client.force_login(world.admin_a)
        # session, user, memberships; the PLIE read; the types with their number of étapes
        with django_assert_num_queries(5):
            response = client.get(ETAPES_URL)
        assert len(response.context["types"]) == len(TYPES_ETAPE) + extra


class TestEtapesCreateUpdate:
    def test_a_new_type(self, client, world):
        client.force_login(world.admin_a)
        response = client.get(ETAPE_CREATE_URL)
        assertContains(response, "<h1>Nouveau type d'étape</h1>", html=True)
        assert response.context["form"]["is_active"].value() is True
        response = client.post(ETAPE_CREATE_URL, etape_data(code=" Atelier-CV "))
        assertRedirects(response, ETAPES_URL, fetch_redirect_response=False)
        created = TypeEtape.objects.get(plie=world.plie_a, code="atelier-cv")
        assert (created.libelle, created.categorie, created.is_active) == (
            "Atelier CV",
            CategorieEtape.MOBILISATION,
            True,
        )
        assert [str(m) for m in response.wsgi_request._messages] == ["Type d'étape « Atelier CV » créé."]

    def test_the_code_is_checked_in_french(self, client, world):
        own_type(world.plie_a)
        own_type(world.plie_b, code="atelier-b")
        client.force_login(world.admin_a)
        cases = [
            ("atelier-cv", "Le code « atelier-cv » existe déjà dans les types d'étape de ce PLIE."),
            (
                "Atelier-Mobilisation",
                "Le code « atelier-mobilisation » est celui d'un type commun à tous les PLIE.",
            ),
            ("atelier cv", MAL_FORME),
            ("découverte", MAL_FORME),
        ]
        for code, message in cases:
            response = client.post(ETAPE_CREATE_URL, etape_data(code=code))
            assert response.status_code == 400
            assert response.context["form"].errors == {"code": [message]}, code
            assertContains(response, "Le formulaire n'a pas été enregistré", status_code=400)
        # another PLIE's code is fine
        assert client.post(ETAPE_CREATE_URL, etape_data(code="atelier-b")).status_code == 302

    def test_the_other_fields_are_checked_in_french(self, client, world):
        client.force_login(world.admin_a)
        response = client.post(ETAPE_CREATE_URL, etape_data(code="", libelle="", categorie="sport"))
        assert response.context["form"].errors == {
            "code": ["Ce champ est obligatoire."],
            "libelle": ["Ce champ est obligatoire."],
            "categorie": ["Sélectionnez un choix valide. sport n’en fait pas partie."],
        }
        with pytest.raises(ValidationError) as error:
            type_etape_save(
                scope=scope_for(world.admin_a), plie=world.plie_a, code="x", libelle=" ", categorie="sport"
            )
        assert error.value.message_dict == {
            "libelle": ["Le libellé est obligatoire."],
            "categorie": ["Choisissez la catégorie de l'étape."],
        }

    def test_an_update_and_deactivation_keep_the_etapes(self, client, world):
        mine = own_type(world.plie_a)
        etape = EtapeFactory(
            type=mine, parcours=ParcoursFactory(participant=ParticipantFactory(plie=world.plie_a))
        )
        client.force_login(world.admin_a)
        response = client.get(etape_update_url(mine))
        assert response.context["form"]["code"].value() == "atelier-cv"
        # its own code again is fine
        response = client.post(
            etape_update_url(mine), etape_data(libelle="Atelier CV et lettre", is_active=None)
        )
        assertRedirects(response, ETAPES_URL, fetch_redirect_response=False)
        mine.refresh_from_db()
        assert (mine.libelle, mine.is_active) == ("Atelier CV et lettre", False)
        etape.refresh_from_db()
        assert etape.type == mine
        assert [str(m) for m in response.wsgi_request._messages] == [
            "Type d'étape « Atelier CV et lettre » enregistré "
            "(inactif : il n'est plus proposé pour les nouvelles étapes)."
        ]

    def test_a_common_type_is_a_404(self, client, world):
        client.force_login(world.admin_a)
        assert client.get(etape_update_url(commun())).status_code == 404
        assert client.post(etape_update_url(commun()), etape_data()).status_code == 404
        with pytest.raises(PermissionDenied):
            type_etape_save(
                scope=scope_for(world.admin_a), plie=world.plie_a, type_etape=commun(), **self.values()
            )

    def values(self):
        return {"code": "atelier-cv", "libelle": "Atelier CV", "categorie": CategorieEtape.MOBILISATION}

    def test_a_type_of_plie_b_is_a_404(self, client, world):
        theirs = own_type(world.plie_b)
        client.force_login(world.admin_a)
        assert client.get(etape_update_url(theirs)).status_code == 404
        assert client.post(etape_update_url(theirs), etape_data()).status_code == 404
        assert client.post(f"{ETAPE_CREATE_URL}?plie=plie-b", etape_data()).status_code == 404
        assert not TypeEtape.objects.filter(plie=world.plie_a).exists()

    @pytest.mark.parametrize("persona", READERS)
    def test_readers_get_a_403(self, client, world, persona):
        mine = own_type(world.plie_a)
        client.force_login(getattr(world, persona))
        assert client.get(ETAPE_CREATE_URL).status_code == 403
        assert client.post(ETAPE_CREATE_URL, etape_data(code="autre")).status_code == 403
        assert client.get(etape_update_url(mine)).status_code == 403
        assert client.post(etape_update_url(mine), etape_data(libelle="Changé")).status_code == 403
        mine.refresh_from_db()
        assert mine.libelle == "Atelier CV"
        assert not TypeEtape.objects.filter(code="autre").exists()
        with pytest.raises(PermissionDenied):
            type_etape_save(scope=scope_for(getattr(world, persona)), plie=world.plie_a, **self.values())

    @pytest.mark.parametrize("persona", OUTSIDERS)
    def test_outsiders_get_a_404(self, client, world, persona):
        mine = own_type(world.plie_a)
        client.force_login(getattr(world, persona))
        assert client.get(ETAPE_CREATE_URL).status_code == 404
        assert client.post(ETAPE_CREATE_URL, etape_data(code="autre")).status_code == 404
        assert client.get(etape_update_url(mine)).status_code == 404


def test_the_etape_form_offers_active_common_types_and_the_active_types_of_its_plie(world):
    mine = own_type(world.plie_a)
    inactive = own_type(world.plie_a, code="ancien-atelier", libelle="Ancien atelier", is_active=False)
    theirs = own_type(world.plie_b, code="atelier-b", libelle="Atelier de PLIE B")
    TypeEtape.objects.filter(pk=commun("freins-sante").pk).update(is_active=False)
    parcours = ParcoursFactory(participant=ParticipantFactory(plie=world.plie_a), en_parcours=True)
    offered = set(EtapeForm(parcours=parcours).fields["type"].queryset)
    expected = set(TypeEtape.objects.filter(plie__isnull=True, is_active=True)) | {mine}
    assert offered == expected
    assert inactive not in offered and theirs not in offered and commun("freins-sante") not in offered
    # an étape recorded with a type since deactivated keeps it in its own form
    etape = EtapeFactory(type=inactive, parcours=parcours)
    assert inactive in set(EtapeForm(parcours=parcours, etape=etape).fields["type"].queryset)
