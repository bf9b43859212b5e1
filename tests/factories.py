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


def user_with_role(role, structure, **kwargs):
    user = UserFactory(**kwargs)
    MembershipFactory(user=user, structure=structure, role=role)
    return user
