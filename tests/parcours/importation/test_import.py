import datetime

import pytest

from parcours.enums import StatutParcours
from parcours.models import AffectationReferent, Parcours, Sortie
from participants.models import Participant, SituationEntree
from plie.core.models import Structure
from tests.parcours.importation.helpers import csv_bytes, ligne, messages, run


@pytest.fixture
def fichier(world):
    """Two people: Léa with an exited parcours then a current one; Karim in parcours."""
    return [
        ligne(
            date_entree="01/02/2021",
            date_sortie="30/06/2022",
            type_sortie="CDI",
            referent_email="referent.a@exemple.fr",
        ),
        ligne(date_entree="2024-02-01", referent_email="Referent.A@exemple.fr", niveau_formation="V"),
        ligne(
            identifiant="L002",
            nom="Benali",
            prenom="Karim",
            sexe="M",
            date_naissance="1985-07-30",
            code_postal="",
            prescripteur="",
            date_entree="15/09/2023",
            niveau_formation="",
            brsa="",
            deld="oui",
            th="oui",
            qpv="oui",
        ),
    ]


def test_it_imports_every_column(world, fichier):
    resultat, compteurs = run(csv_bytes(fichier), world.plie_a, user=world.admin_a)

    assert messages(resultat) == []
    assert (compteurs.participants_crees, compteurs.parcours_crees, compteurs.sorties) == (2, 3, 1)
    lea = Participant.objects.get(plie=world.plie_a, identifiant_externe="L001")
    assert (lea.nom, lea.prenom, lea.sexe, lea.date_naissance) == (
        "Martin",
        "Léa",
        "F",
        datetime.date(1990, 3, 12),
    )
    assert (lea.code_postal, lea.qpv, lea.search_text) == ("69001", False, "martin lea")
    ancien, actuel = lea.parcours.order_by("date_entree")
    assert ancien.status == StatutParcours.SORTI
    assert ancien.date_sortie == datetime.date(2022, 6, 30)
    assert ancien.sortie.type.code == "CDI"
    assert ancien.sortie.validee and ancien.sortie.date_validation == datetime.date(2022, 6, 30)
    assert actuel.status == StatutParcours.EN_PARCOURS and actuel.date_sortie is None
    assert actuel.referent == world.referent_a
    assert actuel.prescripteur.nom == "France Travail Lyon"
    assert actuel.prescripteur.kind == "prescripteur"
    assert world.plie_a in actuel.prescripteur.plies.all()
    affectation = AffectationReferent.objects.get(parcours=ancien)
    assert (affectation.referent, affectation.date_debut, affectation.date_fin) == (
        world.referent_a,
        datetime.date(2021, 2, 1),
        datetime.date(2022, 6, 30),
    )
    situation = SituationEntree.objects.get(participant=lea, date_entree=datetime.date(2024, 2, 1))
    assert situation.niveau_formation == "2c"  # V → 2c
    assert (situation.minima_sociaux, situation.beneficiaire_rsa) == (True, True)
    assert (situation.statut_emploi, situation.duree_recherche_mois) == ("non", 0)
    karim = Participant.objects.get(identifiant_externe="L002")
    assert (karim.sexe, karim.code_postal, karim.qpv) == ("M", "", True)
    parcours = karim.parcours.get()
    assert parcours.referent is None and parcours.prescripteur is None
    assert not AffectationReferent.objects.filter(parcours=parcours).exists()
    situation = karim.situations.get()
    assert (situation.duree_recherche_mois, situation.handicap_reconnu, situation.minima_sociaux) == (
        12,
        True,
        None,
    )
    assert parcours.history.count() == 1  # history rows for the bulk inserts


def test_reimporting_the_same_file_changes_nothing(world, fichier):
    content = csv_bytes(fichier)
    run(content, world.plie_a)
    before = (Participant.objects.count(), Parcours.objects.count(), Sortie.objects.count())
    history = Parcours.history.count()

    resultat, compteurs = run(content, world.plie_a)

    assert resultat.valide
    assert (compteurs.participants_crees, compteurs.parcours_crees, compteurs.parcours_modifies) == (0, 0, 0)
    assert compteurs.parcours_inchanges == 3
    assert (Participant.objects.count(), Parcours.objects.count(), Sortie.objects.count()) == before
    assert Parcours.history.count() == history
    assert Structure.objects.filter(nom="France Travail Lyon").count() == 1


def test_a_later_file_updates_changed_parcours_and_adds_new_ones(world, fichier):
    run(csv_bytes(fichier), world.plie_a)
    fichier[1].update(date_sortie="31/03/2026", type_sortie="ABANDON", referent_email="")
    fichier[2].update(nom="Benali-Durand", deld="non")
    fichier.append(
        ligne(identifiant="L003", nom="Petit", prenom="Noé", sexe="M", date_naissance="02/02/2000")
    )

    resultat, compteurs = run(csv_bytes(fichier), world.plie_a)

    assert messages(resultat) == []
    assert (compteurs.participants_crees, compteurs.participants_modifies) == (1, 1)
    assert (compteurs.parcours_crees, compteurs.parcours_modifies, compteurs.parcours_inchanges) == (1, 2, 1)
    parcours = Parcours.objects.get(
        participant__identifiant_externe="L001", date_entree=datetime.date(2024, 2, 1)
    )
    assert parcours.status == StatutParcours.SORTI
    assert parcours.sortie.type.code == "ABANDON" and parcours.sortie.validee
    assert parcours.referent is None
    assert AffectationReferent.objects.get(parcours=parcours).date_fin == datetime.date(2026, 3, 31)
    karim = Participant.objects.get(identifiant_externe="L002")
    assert karim.nom == "Benali-Durand"
    assert karim.situations.get().duree_recherche_mois == 0
    assert Participant.objects.filter(plie=world.plie_a).count() == 3


def test_dry_run_validates_only(world, fichier):
    resultat, compteurs = run(csv_bytes(fichier), world.plie_a, dry_run=True)

    assert resultat.valide and compteurs is None
    assert not Participant.objects.exists()


def test_a_later_file_changes_or_removes_an_exit(world, fichier):
    run(csv_bytes(fichier), world.plie_a)
    ancien = Parcours.objects.get(
        participant__identifiant_externe="L001", date_entree=datetime.date(2021, 2, 1)
    )
    fichier[0].update(type_sortie="CDD_6M", date_sortie="15/07/2022")
    fichier[2].update(date_sortie="01/05/2026", type_sortie="SANTE")

    resultat, compteurs = run(csv_bytes(fichier), world.plie_a)

    assert resultat.valide and compteurs.parcours_modifies == 2
    ancien.refresh_from_db()
    assert (ancien.sortie.type.code, ancien.sortie.date_sortie) == ("CDD_6M", datetime.date(2022, 7, 15))
    assert ancien.date_sortie == datetime.date(2022, 7, 15) and ancien.version == 2
    assert ancien.sortie.history.count() == 2

    fichier[0].update(type_sortie="", date_sortie="")  # the legacy tool reopened it: overlaps the next one
    resultat, _ = run(csv_bytes(fichier), world.plie_a)
    assert [(e.ligne, e.colonne) for e in resultat.erreurs] == [(3, "date_entree")]

    fichier[0].update(type_sortie="CDD_6M", date_sortie="15/07/2022")
    fichier[2].update(type_sortie="", date_sortie="")
    resultat, compteurs = run(csv_bytes(fichier), world.plie_a)
    assert resultat.valide and compteurs.parcours_modifies == 1
    karim = Parcours.objects.get(participant__identifiant_externe="L002")
    assert karim.status == StatutParcours.EN_PARCOURS and karim.date_sortie is None
    assert not Sortie.objects.filter(parcours=karim).exists()


def test_an_import_finished_meanwhile_is_read_again_before_writing(world, fichier):
    import io

    from parcours.importation.services import importer

    content = csv_bytes(fichier)

    def progress(step):
        if step == "ecriture":  # another import of the same file commits between validation and writes
            run(content, world.plie_a)

    resultat, compteurs = importer(io.BytesIO(content), "a.csv", world.plie_a, progress=progress)

    assert resultat.valide and (compteurs.parcours_crees, compteurs.parcours_inchanges) == (0, 3)
    assert Participant.objects.count() == 2 and Parcours.objects.count() == 3
