"""The follow-up's services: entretiens keep the workspace's denormalised dates, étapes and
their contracts are checked per field and saved together or not at all."""

import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from parcours.enums import CategorieEtape, StatutParcours, TypeContrat
from parcours.models import Contrat, Entretien, Etape, Parcours
from parcours.services import suivi
from plie.core.enums import StructureKind
from plie.core.scoping import scope_for
from tests.factories import ParticipantFactory, StructureFactory, user_with_role
from tests.parcours.factories import EtapeFactory, ParcoursFactory, TypeEtapeFactory

D = datetime.date
PARIS = ZoneInfo("Europe/Paris")
TODAY = D(2026, 6, 15)


def at(day, hour=10, minute=0):
    return datetime.datetime.combine(day, datetime.time(hour, minute), tzinfo=PARIS)


@pytest.fixture(autouse=True)
def frozen_today(time_machine):
    time_machine.move_to(datetime.datetime(2026, 6, 15, 10, 0, tzinfo=PARIS), tick=False)


@pytest.fixture
def parcours(world):
    """Hélène Lefèvre of PLIE A, oriented on 05/01/2026, entered on 02/02/2026, followed by the
    référent of PLIE A."""
    participant = ParticipantFactory(plie=world.plie_a, nom="Lefèvre", prenom="Hélène")
    return ParcoursFactory(participant=participant, en_parcours=True, referent=world.referent_a)


def errors_of(excinfo):
    return excinfo.value.message_dict


# --- the denormalised dates: a pure rule ----------------------------------------------------

E = (D(2026, 6, 1), D(2026, 6, 10), D(2026, 6, 15), D(2026, 6, 20), D(2026, 6, 30))


@pytest.mark.parametrize(
    ("entretiens", "expected"),
    [
        ([], (None, None)),
        ([(E[0], 1, None)], (E[0], None)),
        ([(E[0], 1, at(E[2]))], (E[0], at(E[2]))),
        # a later entretien without appointment keeps the one still to come
        ([(E[0], 1, at(E[4])), (E[1], 2, None)], (E[1], at(E[4]))),
        # the appointment took place: an entretien on its day clears it
        ([(E[0], 1, at(E[4])), (E[4], 2, None)], (E[4], None)),
        # or after it
        ([(E[0], 1, at(E[1])), (E[2], 2, None)], (E[2], None)),
        # the latest entretien's appointment replaces an earlier one
        ([(E[0], 1, at(E[4])), (E[1], 2, at(E[3]))], (E[1], at(E[3]))),
        # an old entretien logged late (higher pk, earlier date) changes neither
        ([(E[2], 1, at(E[4])), (E[0], 2, at(E[1]))], (E[2], at(E[4]))),
        # two entretiens the same day: the one entered last counts
        ([(E[1], 2, at(E[3])), (E[1], 1, at(E[4]))], (E[1], at(E[3]))),
        # an appointment that passed without an entretien stays (the « rendez-vous passé » alert)
        ([(E[0], 1, at(E[1]))], (E[0], at(E[1]))),
    ],
)
def test_suivi_from_entretiens(entretiens, expected):
    assert suivi.suivi_from_entretiens(entretiens) == expected


# --- entretiens -----------------------------------------------------------------------------


class TestEntretienRecord:
    def test_it_logs_and_keeps_the_workspace_dates(self, world, parcours):
        history = parcours.history.count()
        entretien = suivi.entretien_record(
            scope=scope_for(world.referent_a),
            parcours=parcours,
            date=D(2026, 6, 10),
            mode="telephone",
            duree_minutes=30,
            sujets=["formation", "projet", "formation"],
            notes="  Point sur la formation.  ",
            prochain_rdv=at(D(2026, 6, 15), 14),
        )
        assert entretien.referent == world.referent_a
        assert entretien.sujets == ["projet", "formation"]  # the referential's order, once each
        assert entretien.notes == "Point sur la formation."
        assert entretien.history.get().history_user == world.referent_a
        parcours.refresh_from_db()
        assert parcours.dernier_contact == D(2026, 6, 10)
        assert parcours.prochain_rdv == at(D(2026, 6, 15), 14)
        assert parcours.version == 1  # derived data: no conflict for someone editing the parcours
        assert parcours.history.count() == history

        # the appointment takes place, the next one is planned
        suivi.entretien_record(
            scope=scope_for(world.referent_a),
            parcours=parcours,
            date=D(2026, 6, 15),
            prochain_rdv=at(D(2026, 6, 29), 9),
        )
        parcours.refresh_from_db()
        assert (parcours.dernier_contact, parcours.prochain_rdv) == (D(2026, 6, 15), at(D(2026, 6, 29), 9))

        # an older one logged late changes nothing
        suivi.entretien_record(
            scope=scope_for(world.referent_a),
            parcours=parcours,
            date=D(2026, 5, 2),
            prochain_rdv=at(D(2026, 5, 9)),
        )
        parcours.refresh_from_db()
        assert (parcours.dernier_contact, parcours.prochain_rdv) == (D(2026, 6, 15), at(D(2026, 6, 29), 9))

        # a phone call in between keeps the appointment
        suivi.entretien_record(
            scope=scope_for(world.referent_a), parcours=parcours, date=D(2026, 6, 15), mode="telephone"
        )
        parcours.refresh_from_db()
        assert parcours.prochain_rdv == at(D(2026, 6, 29), 9)

    @pytest.mark.parametrize(
        ("values", "field", "message"),
        [
            ({"date": None}, "date", "La date de l'entretien est obligatoire."),
            ({"date": D(2026, 6, 16)}, "date", "La date de l'entretien ne peut pas être dans le futur."),
            (
                {"date": D(2026, 1, 4)},
                "date",
                "L'entretien ne peut pas précéder l'orientation (le 05/01/2026).",
            ),
            ({"mode": "courrier"}, "mode", "Choisissez le mode de l'entretien dans la liste."),
            ({"duree_minutes": 0}, "duree_minutes", "La durée doit être comprise entre 1 et 600 minutes."),
            ({"duree_minutes": 601}, "duree_minutes", "La durée doit être comprise entre 1 et 600 minutes."),
            ({"sujets": ["meteo"]}, "sujets", "Choisissez les sujets dans la liste."),
            (
                {"prochain_rdv": at(D(2026, 6, 12), 17)},
                "prochain_rdv",
                "Le prochain rendez-vous doit suivre l'entretien (du 12/06/2026).",
            ),
            (
                {"prochain_rdv": at(D(2027, 6, 14))},
                "prochain_rdv",
                "Le prochain rendez-vous est à plus d'un an : vérifiez la date.",
            ),
        ],
    )
    def test_bad_input_saves_nothing(self, world, parcours, values, field, message):
        data = {"date": D(2026, 6, 12), "mode": "individuel", **values}
        with pytest.raises(ValidationError) as excinfo:
            suivi.entretien_record(scope=scope_for(world.referent_a), parcours=parcours, **data)
        assert errors_of(excinfo) == {field: [message]}
        assert not Entretien.objects.exists()
        parcours.refresh_from_db()
        assert parcours.dernier_contact is None

    def test_without_orientation_the_entry_bounds_the_date(self, world, parcours):
        Parcours.objects.filter(pk=parcours.pk).update(date_orientation=None)
        parcours.refresh_from_db()
        with pytest.raises(ValidationError) as excinfo:
            suivi.entretien_record(scope=scope_for(world.referent_a), parcours=parcours, date=D(2026, 2, 1))
        assert errors_of(excinfo) == {
            "date": ["L'entretien ne peut pas précéder l'entrée dans le PLIE (le 02/02/2026)."]
        }

    def test_a_candidate_may_have_a_diagnostic_entretien(self, world):
        candidat = ParcoursFactory(
            participant=ParticipantFactory(plie=world.plie_a), referent=world.referent_a
        )
        suivi.entretien_record(
            scope=scope_for(world.referent_a), parcours=candidat, date=D(2026, 1, 12), mode="individuel"
        )
        candidat.refresh_from_db()
        assert candidat.dernier_contact == D(2026, 1, 12)

    @pytest.mark.parametrize("persona", ["referent_a", "animateur_a", "admin_a"])
    def test_who_may_log(self, world, parcours, persona):
        suivi.entretien_record(scope=scope_for(getattr(world, persona)), parcours=parcours, date=TODAY)
        assert Entretien.objects.count() == 1

    @pytest.mark.parametrize(
        "persona", ["gestionnaire_a", "direction_a", "referent_b", "financeur", "oi_user"]
    )
    def test_who_may_not(self, world, parcours, persona):
        with pytest.raises(PermissionDenied):
            suivi.entretien_record(scope=scope_for(getattr(world, persona)), parcours=parcours, date=TODAY)

    def test_another_referent_of_the_plie_may_not(self, world, parcours):
        colleague = user_with_role("referent", world.plie_a)
        with pytest.raises(PermissionDenied):
            suivi.entretien_record(scope=scope_for(colleague), parcours=parcours, date=TODAY)

    def test_a_closed_candidature_takes_nothing(self, world, parcours):
        Parcours.objects.filter(pk=parcours.pk).update(status=StatutParcours.NON_ADMIS)
        with pytest.raises(ValidationError, match="Cette candidature est close"):
            suivi.entretien_record(scope=scope_for(world.animateur_a), parcours=parcours, date=TODAY)

    def test_an_exited_parcours_only_by_an_administrateur_with_the_reason(self, world):
        sorti = ParcoursFactory(
            participant=ParticipantFactory(plie=world.plie_a), sorti=True, referent=world.referent_a
        )
        with pytest.raises(ValidationError, match="seul un administrateur du PLIE peut le modifier"):
            suivi.entretien_record(scope=scope_for(world.referent_a), parcours=sorti, date=D(2026, 6, 1))
        with pytest.raises(ValidationError) as excinfo:
            suivi.entretien_record(scope=scope_for(world.admin_a), parcours=sorti, date=D(2026, 6, 1))
        assert errors_of(excinfo) == {"motif": ["Indiquez le motif de la modification d'un parcours clos."]}
        entretien = suivi.entretien_record(
            scope=scope_for(world.admin_a), parcours=sorti, date=D(2026, 6, 1), motif="Entretien oublié"
        )
        assert entretien.history.get().history_change_reason == "Entretien oublié"


# --- étapes and contracts -------------------------------------------------------------------


@pytest.fixture
def types(world):
    other_plie = TypeEtapeFactory(plie=world.plie_b, code="propre-b", libelle="Étape de B")
    return {
        "mobilisation": TypeEtapeFactory(code="mobilisation", libelle="Mobilisation"),
        "propre": TypeEtapeFactory(plie=world.plie_a, code="atelier", libelle="Atelier CV du PLIE A"),
        "inactif": TypeEtapeFactory(code="ancien", libelle="Ancien type", is_active=False),
        "autre_plie": other_plie,
        "cdi": TypeEtapeFactory(
            code="emploi-durable", libelle="Emploi durable", categorie=CategorieEtape.EMPLOI_DURABLE
        ),
        "interim": TypeEtapeFactory(
            code="emploi-parcours", libelle="Emploi de parcours", categorie=CategorieEtape.EMPLOI_PARCOURS
        ),
    }


@pytest.fixture
def operateur(world):
    structure = StructureFactory(kind=StructureKind.OPERATEUR, nom="AFPA Vénissieux")
    structure.plies.add(world.plie_a)
    return structure


def contrat(**overrides):
    data = {
        "employeur": "Boulangerie du Centre",
        "siret": "",
        "type_contrat": TypeContrat.CDI,
        "heures_hebdo": Decimal("35"),
        "date_debut": None,
        "date_fin_prevue": None,
        "date_fin": None,
    }
    return {**data, **overrides}


class TestEtapeAdd:
    def test_a_step_with_its_operateur(self, world, parcours, types, operateur):
        etape = suivi.etape_add(
            scope=scope_for(world.referent_a),
            parcours=parcours,
            type=types["propre"],
            operateur=operateur,
            date_debut=D(2026, 3, 2),
            date_fin_prevue=D(2026, 4, 30),
            resultat=" ",
        )
        assert (etape.type, etape.operateur, etape.resultat) == (types["propre"], operateur, "")
        assert etape.history.get().history_user == world.referent_a
        assert not Contrat.objects.exists()

    def test_a_job_with_its_contract(self, world, parcours, types):
        etape = suivi.etape_add(
            scope=scope_for(world.referent_a),
            parcours=parcours,
            type=types["cdi"],
            date_debut=D(2026, 4, 1),
            contrat=contrat(siret="123 456 789 00012"),
        )
        contract = Contrat.objects.get(etape=etape)
        assert contract.date_debut == D(2026, 4, 1)  # the étape's start by default
        assert (contract.employeur, contract.type_contrat, contract.heures_hebdo) == (
            "Boulangerie du Centre",
            TypeContrat.CDI,
            Decimal("35.0"),
        )
        assert contract.siret == "12345678900012"
        assert contract.history.get().history_user == world.referent_a

    @pytest.mark.parametrize(
        ("values", "expected"),
        [
            ({"date_debut": None}, {"date_debut": ["La date de début de l'étape est obligatoire."]}),
            (
                {"date_debut": D(2026, 2, 1)},
                {
                    "date_debut": [
                        "Le début de l'étape ne peut pas précéder l'entrée dans le PLIE (le 02/02/2026)."
                    ]
                },
            ),
            (
                {"date_debut": D(2026, 3, 2), "date_fin_prevue": D(2026, 3, 1), "date_fin": D(2026, 2, 28)},
                {
                    "date_fin_prevue": ["La fin prévue doit suivre le début de l'étape (le 02/03/2026)."],
                    "date_fin": ["La fin effective doit suivre le début de l'étape (le 02/03/2026)."],
                },
            ),
            (
                {"date_debut": D(2026, 6, 1), "date_fin": D(2026, 6, 20)},
                {
                    "date_fin": [
                        "La fin effective ne peut pas être dans le futur : indiquez plutôt la fin prévue."
                    ]
                },
            ),
            ({"type": "inactif"}, {"type": ["Ce type d'étape ne fait pas partie du référentiel du PLIE."]}),
            (
                {"type": "autre_plie"},
                {"type": ["Ce type d'étape ne fait pas partie du référentiel du PLIE."]},
            ),
            ({"type": None}, {"type": ["Choisissez le type d'étape."]}),
        ],
    )
    def test_dates_and_referential_per_field(self, world, parcours, types, values, expected):
        data = {"type": "mobilisation", "date_debut": D(2026, 3, 2), **values}
        data["type"] = types.get(data["type"]) if data["type"] else None
        with pytest.raises(ValidationError) as excinfo:
            suivi.etape_add(scope=scope_for(world.referent_a), parcours=parcours, **data)
        assert errors_of(excinfo) == expected
        assert not Etape.objects.exists()

    def test_not_after_the_exit(self, world, types):
        sorti = ParcoursFactory(participant=ParticipantFactory(plie=world.plie_a), sorti=True)
        with pytest.raises(ValidationError) as excinfo:
            suivi.etape_add(
                scope=scope_for(world.admin_a),
                parcours=sorti,
                type=types["mobilisation"],
                date_debut=D(2026, 10, 1),
                motif="Reprise de l'historique",
            )
        assert errors_of(excinfo) == {
            "date_debut": ["Le début de l'étape ne peut pas suivre la sortie du PLIE (le 30/09/2026)."]
        }

    def test_a_candidate_has_no_step_yet(self, world, types):
        candidat = ParcoursFactory(
            participant=ParticipantFactory(plie=world.plie_a), referent=world.referent_a
        )
        with pytest.raises(ValidationError) as excinfo:
            suivi.etape_add(
                scope=scope_for(world.referent_a),
                parcours=candidat,
                type=types["mobilisation"],
                date_debut=D(2026, 3, 2),
            )
        assert "les étapes s'ajoutent après l'entrée dans le PLIE" in str(excinfo.value)

    def test_an_operateur_not_partner_of_the_plie(self, world, parcours, types):
        with pytest.raises(ValidationError) as excinfo:
            suivi.etape_add(
                scope=scope_for(world.referent_a),
                parcours=parcours,
                type=types["mobilisation"],
                operateur=world.operateur,  # partner of PLIE B
                date_debut=D(2026, 3, 2),
            )
        assert errors_of(excinfo) == {"operateur": ["Cette structure n'est pas un partenaire du PLIE."]}

    @pytest.mark.parametrize(
        ("values", "expected"),
        [
            (
                {"employeur": "", "type_contrat": ""},
                {
                    "contrat_employeur": ["L'employeur est obligatoire pour une étape d'emploi."],
                    "contrat_type_contrat": ["Choisissez le type de contrat."],
                },
            ),
            (
                {"employeur": "", "type_contrat": "", "heures_hebdo": None},
                {
                    "contrat_employeur": [
                        "Une étape d'emploi se saisit avec son contrat : l'employeur manque."
                    ],
                    "contrat_type_contrat": ["Choisissez le type de contrat."],
                },
            ),
            (
                {"heures_hebdo": None},
                {
                    "contrat_heures_hebdo": [
                        "Indiquez les heures par semaine : elles comptent pour valider la sortie."
                    ]
                },
            ),
            (
                {"heures_hebdo": Decimal("60")},
                {"contrat_heures_hebdo": ["Les heures par semaine doivent être comprises entre 0 et 48."]},
            ),
            ({"siret": "1234"}, {"contrat_siret": ["Le SIRET compte 14 chiffres."]}),
            (
                {"date_fin_prevue": D(2026, 10, 1)},
                {"contrat_date_fin_prevue": ["Un CDI n'a pas de fin prévue."]},
            ),
            (
                {"type_contrat": TypeContrat.CDD, "date_debut": D(2026, 3, 31), "date_fin": D(2026, 3, 30)},
                {
                    "contrat_date_debut": ["Le contrat ne peut pas commencer avant l'étape (le 01/04/2026)."],
                    "contrat_date_fin": ["La fin effective doit suivre le début du contrat (le 31/03/2026)."],
                },
            ),
            (
                {"type_contrat": TypeContrat.CDD, "date_fin_prevue": D(2026, 3, 1)},
                {
                    "contrat_date_fin_prevue": [
                        "La fin prévue doit suivre le début du contrat (le 01/04/2026)."
                    ]
                },
            ),
            (
                {"type_contrat": TypeContrat.INTERIM, "date_fin": D(2026, 7, 1)},
                {"contrat_date_fin": ["La fin effective du contrat ne peut pas être dans le futur."]},
            ),
        ],
    )
    def test_the_contract_per_field_and_nothing_half_saved(self, world, parcours, types, values, expected):
        with pytest.raises(ValidationError) as excinfo:
            suivi.etape_add(
                scope=scope_for(world.referent_a),
                parcours=parcours,
                type=types["cdi"],
                date_debut=D(2026, 4, 1),
                contrat=contrat(**values),
            )
        assert errors_of(excinfo) == expected
        assert not Etape.objects.exists()
        assert not Contrat.objects.exists()

    def test_a_business_creation_needs_no_hours(self, world, parcours):
        creation = TypeEtapeFactory(code="creation", categorie=CategorieEtape.CREATION_ENTREPRISE)
        suivi.etape_add(
            scope=scope_for(world.referent_a),
            parcours=parcours,
            type=creation,
            date_debut=D(2026, 4, 1),
            contrat=contrat(employeur="Mon entreprise", type_contrat=TypeContrat.CREATION, heures_hebdo=None),
        )
        assert Contrat.objects.get().heures_hebdo is None

    def test_a_contract_on_a_step_that_is_not_a_job(self, world, parcours, types):
        with pytest.raises(ValidationError, match="n'est pas une étape d'emploi : laissez le contrat vide"):
            suivi.etape_add(
                scope=scope_for(world.referent_a),
                parcours=parcours,
                type=types["mobilisation"],
                date_debut=D(2026, 4, 1),
                contrat=contrat(),
            )

    def test_an_empty_contract_form_on_a_step_that_is_not_a_job_is_fine(self, world, parcours, types):
        empty = dict.fromkeys(contrat(), None) | {"employeur": "", "siret": "", "type_contrat": ""}
        suivi.etape_add(
            scope=scope_for(world.referent_a),
            parcours=parcours,
            type=types["mobilisation"],
            date_debut=D(2026, 4, 1),
            contrat=empty,
        )
        assert Etape.objects.count() == 1

    def test_a_failure_while_saving_the_contract_rolls_the_step_back(
        self, world, parcours, types, monkeypatch
    ):
        def broken(**kwargs):
            raise RuntimeError("disque plein")

        monkeypatch.setattr(suivi, "contrat_save", broken)
        with pytest.raises(RuntimeError):
            suivi.etape_add(
                scope=scope_for(world.referent_a),
                parcours=parcours,
                type=types["cdi"],
                date_debut=D(2026, 4, 1),
                contrat=contrat(),
            )
        assert not Etape.objects.exists()

    @pytest.mark.parametrize("persona", ["gestionnaire_a", "referent_b", "financeur"])
    def test_who_may_not(self, world, parcours, types, persona):
        with pytest.raises(PermissionDenied):
            suivi.etape_add(
                scope=scope_for(getattr(world, persona)),
                parcours=parcours,
                type=types["mobilisation"],
                date_debut=D(2026, 3, 2),
            )


class TestEtapeUpdate:
    @pytest.fixture
    def emploi(self, world, parcours, types):
        return suivi.etape_add(
            scope=scope_for(world.referent_a),
            parcours=parcours,
            type=types["interim"],
            date_debut=D(2026, 4, 1),
            contrat=contrat(
                type_contrat=TypeContrat.INTERIM, employeur="Adecco", date_fin_prevue=D(2026, 9, 30)
            ),
        )

    def test_ending_the_job_and_its_contract_together(self, world, emploi, types):
        fingerprint = suivi.etape_fingerprint(emploi)
        etape = suivi.etape_update(
            scope=scope_for(world.animateur_a),
            etape=emploi,
            fingerprint=fingerprint,
            type=types["interim"],
            operateur=None,
            date_debut=D(2026, 4, 1),
            date_fin_prevue=D(2026, 9, 30),
            date_fin=D(2026, 6, 12),
            resultat="Fin de mission",
            contrat=contrat(
                type_contrat=TypeContrat.INTERIM,
                employeur="Adecco",
                date_fin_prevue=D(2026, 9, 30),
                date_fin=D(2026, 6, 12),
            ),
        )
        assert (etape.date_fin, etape.resultat) == (D(2026, 6, 12), "Fin de mission")
        assert Contrat.objects.get(etape=etape).date_fin == D(2026, 6, 12)
        assert Contrat.objects.count() == 1

    def test_someone_saved_first(self, world, emploi, types):
        fingerprint = suivi.etape_fingerprint(emploi)
        Etape.objects.filter(pk=emploi.pk).update(resultat="Changé par un collègue")
        with pytest.raises(ValidationError, match="modifiée par quelqu'un d'autre entre-temps"):
            suivi.etape_update(
                scope=scope_for(world.referent_a),
                etape=emploi,
                fingerprint=fingerprint,
                resultat="Mon résultat",
                contrat=contrat(type_contrat=TypeContrat.INTERIM, employeur="Adecco"),
            )
        assert Etape.objects.get(pk=emploi.pk).resultat == "Changé par un collègue"

    def test_a_job_with_a_contract_stays_a_job(self, world, emploi, types):
        with pytest.raises(ValidationError) as excinfo:
            suivi.etape_update(
                scope=scope_for(world.referent_a), etape=emploi, type=types["mobilisation"], contrat=None
            )
        assert errors_of(excinfo) == {
            "type": [
                "Cette étape a un contrat : elle reste une étape d'emploi (choisissez un type d'emploi)."
            ]
        }

    def test_an_invalid_contract_leaves_the_step_as_it_was(self, world, emploi, types):
        with pytest.raises(ValidationError):
            suivi.etape_update(
                scope=scope_for(world.referent_a),
                etape=emploi,
                resultat="Mission prolongée",
                contrat=contrat(
                    type_contrat=TypeContrat.INTERIM, employeur="Adecco", heures_hebdo=Decimal(99)
                ),
            )
        emploi.refresh_from_db()
        assert emploi.resultat == ""
        assert Contrat.objects.get().heures_hebdo == Decimal("35")

    def test_a_retired_type_stays_allowed_on_its_step(self, world, parcours, types):
        etape = EtapeFactory(parcours=parcours, type=types["inactif"], date_debut=D(2026, 3, 2))
        suivi.etape_update(scope=scope_for(world.referent_a), etape=etape, resultat="Terminée")
        etape.refresh_from_db()
        assert etape.resultat == "Terminée"


# --- contracts of one employer do not overlap -------------------------------------------------


class TestContractOverlap:
    @pytest.fixture
    def first(self, world, parcours, types):
        return suivi.etape_add(
            scope=scope_for(world.referent_a),
            parcours=parcours,
            type=types["interim"],
            date_debut=D(2026, 3, 2),
            contrat=contrat(
                type_contrat=TypeContrat.CDD, employeur="Intérim Plus", date_fin_prevue=D(2026, 5, 31)
            ),
        )

    def test_an_overlap_with_the_same_employer_is_refused(self, world, parcours, types, first):
        with pytest.raises(ValidationError) as raised:
            suivi.etape_add(
                scope=scope_for(world.referent_a),
                parcours=parcours,
                type=types["interim"],
                date_debut=D(2026, 5, 15),
                contrat=contrat(
                    type_contrat=TypeContrat.CDD, employeur=" interim  PLUS ", date_fin_prevue=None
                ),
            )
        assert errors_of(raised) == {
            "contrat_date_debut": [
                "Ce contrat chevauche le contrat chez Intérim Plus du 02/03/2026 (au 31/05/2026) : un "
                "renouvellement commence le lendemain de la fin du contrat précédent ; modifiez plutôt "
                "ce contrat-là."
            ]
        }
        assert Etape.objects.filter(parcours=parcours).count() == 1  # nothing saved

    def test_a_renewal_the_next_day_and_another_employer_are_fine(self, world, parcours, types, first):
        suivi.etape_add(
            scope=scope_for(world.referent_a),
            parcours=parcours,
            type=types["interim"],
            date_debut=D(2026, 6, 1),
            contrat=contrat(type_contrat=TypeContrat.CDD, employeur="Intérim Plus"),
        )
        suivi.etape_add(
            scope=scope_for(world.referent_a),
            parcours=parcours,
            type=types["interim"],
            date_debut=D(2026, 4, 1),
            contrat=contrat(type_contrat=TypeContrat.CDD, employeur="Boulangerie"),
        )
        assert Contrat.objects.filter(etape__parcours=parcours).count() == 3

    def test_changing_a_contract_is_not_an_overlap_with_itself(self, world, first, types):
        suivi.etape_update(
            scope=scope_for(world.referent_a),
            etape=first,
            type=types["interim"],
            date_debut=D(2026, 3, 2),
            contrat=contrat(
                type_contrat=TypeContrat.CDD, employeur="Intérim Plus", date_fin_prevue=D(2026, 6, 30)
            ),
        )
        assert Contrat.objects.get(etape=first).date_fin_prevue == D(2026, 6, 30)

    def test_a_contract_ending_before_it_starts(self, world, parcours, types):
        with pytest.raises(ValidationError) as raised:
            suivi.etape_add(
                scope=scope_for(world.referent_a),
                parcours=parcours,
                type=types["interim"],
                date_debut=D(2026, 4, 1),
                contrat=contrat(type_contrat=TypeContrat.CDD, date_fin_prevue=D(2026, 3, 31)),
            )
        assert errors_of(raised) == {
            "contrat_date_fin_prevue": ["La fin prévue doit suivre le début du contrat (le 01/04/2026)."]
        }
        assert not Etape.objects.filter(parcours=parcours).exists()


# --- cancelling a planned étape ---------------------------------------------------------------


class TestEtapeCancel:
    def test_a_planned_etape_is_cancelled_and_kept(self, world, parcours, types):
        planned = EtapeFactory(parcours=parcours, type=types["propre"], date_debut=D(2026, 6, 18))
        etape = suivi.etape_cancel(scope=scope_for(world.referent_a), etape=planned)
        assert (etape.annulee, etape.date_annulation) == (True, TODAY)
        assert Etape.objects.filter(pk=planned.pk).exists()  # kept in the history
        record = etape.history.latest()
        assert (record.history_user, record.history_change_reason) == (
            world.referent_a,
            "Étape prévue annulée",
        )
        with pytest.raises(ValidationError, match="déjà annulée"):
            suivi.etape_cancel(scope=scope_for(world.referent_a), etape=planned)
        with pytest.raises(ValidationError, match="annulée le 15/06/2026 : elle ne change plus"):
            suivi.etape_update(scope=scope_for(world.referent_a), etape=planned, resultat="Fait")

    def test_an_etape_already_begun_is_not_cancelled(self, world, parcours, types):
        begun = EtapeFactory(parcours=parcours, type=types["propre"], date_debut=TODAY)
        with pytest.raises(ValidationError, match="a commencé le 15/06/2026"):
            suivi.etape_cancel(scope=scope_for(world.referent_a), etape=begun)
        begun.refresh_from_db()
        assert begun.annulee is False

    def test_who_may_not(self, world, parcours, types):
        planned = EtapeFactory(parcours=parcours, type=types["propre"], date_debut=D(2026, 6, 18))
        for persona in ("referent_b", "gestionnaire_a", "financeur"):
            with pytest.raises(PermissionDenied):
                suivi.etape_cancel(scope=scope_for(getattr(world, persona)), etape=planned)
        assert suivi.etape_cancel(scope=scope_for(world.animateur_a), etape=planned).annulee
