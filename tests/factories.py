import datetime

import factory
from factory.django import DjangoModelFactory

from participants.enums import Sexe
from participants.models import Participant
from plie.core.enums import Role, StructureKind
from plie.core.models import Membership, Structure, User

DEFAULT_PASSWORD = "motdepasse-de-test-1"


class UserFactory(DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"utilisateur{n}@exemple.fr")
    first_name = factory.Faker("first_name", locale="fr_FR")
    last_name = factory.Faker("last_name", locale="fr_FR")
    password = factory.django.Password(DEFAULT_PASSWORD)


class StructureFactory(DjangoModelFactory):
    class Meta:
        model = Structure

    kind = StructureKind.OPERATEUR
    nom = factory.Sequence(lambda n: f"Structure {n}")

    class Params:
        plie = factory.Trait(kind=StructureKind.PLIE, code=factory.Sequence(lambda n: f"plie-{n}"))
        oi_kind = factory.Trait(kind=StructureKind.OI)


class PlieFactory(StructureFactory):
    kind = StructureKind.PLIE
    code = factory.Sequence(lambda n: f"plie-{n}")
    nom = factory.Sequence(lambda n: f"PLIE {n}")


class OIFactory(StructureFactory):
    kind = StructureKind.OI
    nom = factory.Sequence(lambda n: f"OI {n}")


class MembershipFactory(DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    structure = factory.SubFactory(PlieFactory)
    role = Role.REFERENT


class ParticipantFactory(DjangoModelFactory):
    class Meta:
        model = Participant

    plie = factory.SubFactory(PlieFactory)
    nom = factory.Faker("last_name", locale="fr_FR")
    prenom = factory.Faker("first_name", locale="fr_FR")
    sexe = Sexe.FEMME
    date_naissance = datetime.date(1985, 3, 14)
    nationalite = "fr"


def user_with_role(role, structure, **kwargs):
    user = UserFactory(**kwargs)
    MembershipFactory(user=user, structure=structure, role=role)
    return user


MINIMAL_PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n%%EOF\n"


class DocumentFactory(DjangoModelFactory):
    """A pièce justificative stored under MEDIA_ROOT (a tiny PDF); ``rqth=True`` for the sensitive
    disability proof."""

    class Meta:
        model = "participants.Document"

    participant = factory.SubFactory(ParticipantFactory)
    type = "identite"
    fichier = factory.django.FileField(filename="piece.pdf", data=MINIMAL_PDF)
    nom_original = "Pièce d'identité.pdf"
    content_type = "application/pdf"
    taille = len(MINIMAL_PDF)
    uploaded_by = factory.SubFactory(UserFactory)

    class Params:
        rqth = factory.Trait(type="rqth", nom_original="Notification RQTH.pdf")


class SituationEntreeFactory(DjangoModelFactory):
    """A situation at entry (FSE entry questionnaire) just started; ``complete=True`` answers
    every question (a long-term job seeker on the RSA)."""

    class Meta:
        model = "participants.SituationEntree"

    participant = factory.SubFactory(ParticipantFactory)
    date_entree = datetime.date(2026, 1, 5)

    class Params:
        complete = factory.Trait(
            date_questionnaire=factory.SelfAttribute("date_entree"),
            statut_emploi="non",
            en_formation=False,
            recherche_emploi=True,
            duree_recherche_mois=14,
            niveau_formation="2b",
            handicap_reconnu=False,
            minima_sociaux=True,
            beneficiaire_rsa=True,
            sans_domicile="non",
            parent_ne_etranger="nsp",
            menage_sans_emploi=True,
            menage_enfants=False,
            menage_monoparental=False,
        )


class FreinFactory(DjangoModelFactory):
    """A frein identified on 5 January 2026; ``leve=True`` lifts it on 2 March 2026."""

    class Meta:
        model = "participants.Frein"

    participant = factory.SubFactory(ParticipantFactory)
    type = "mobilite"
    date_identification = datetime.date(2026, 1, 5)

    class Params:
        leve = factory.Trait(date_levee=datetime.date(2026, 3, 2))
