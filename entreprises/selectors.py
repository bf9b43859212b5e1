"""Scoped reads of the employer side: each takes a :class:`~plie.core.scoping.Scope`."""

from django.db.models import Count, Q

from entreprises import regles
from entreprises.enums import StatutMiseEnRelation
from entreprises.models import Employeur, MiseEnRelation, Offre
from entreprises.permissions import EMPLOYER_SIDE_ROLES
from parcours.models import Parcours
from participants.models import Participant


def employeurs(scope, *, q="", secteur="", taille="", commune=""):
    """The employers ``scope`` sees, filtered, with their number of offers and of exchanges."""
    queryset = Employeur.objects.visible_to(scope)
    if q:
        digits = regles.clean_siret(q)
        condition = Q(nom__icontains=q)
        if digits.isdigit():
            condition |= Q(siret__startswith=digits)
        queryset = queryset.filter(condition)
    if secteur:
        queryset = queryset.filter(secteur=secteur)
    if taille:
        queryset = queryset.filter(taille=taille)
    if commune:
        queryset = queryset.filter(commune__icontains=commune)
    return (
        queryset.select_related("plie")
        .annotate(nb_offres=Count("offres", distinct=True), nb_echanges=Count("echanges", distinct=True))
        .order_by("nom", "pk")
    )


def offres(scope, *, q="", code_rome="", status="", lieu=""):
    queryset = Offre.objects.visible_to(scope)
    if q:
        queryset = queryset.filter(Q(intitule__icontains=q) | Q(employeur__nom__icontains=q))
    if code_rome:
        queryset = queryset.filter(code_rome=code_rome.strip().upper())
    if status:
        queryset = queryset.filter(status=status)
    if lieu:
        queryset = queryset.filter(lieu__icontains=lieu)
    return (
        queryset.select_related("employeur", "plie")
        .annotate(
            nb_mises=Count("mises_en_relation"),
            nb_retenus=Count(
                "mises_en_relation", filter=Q(mises_en_relation__status=StatutMiseEnRelation.RETENU)
            ),
        )
        .order_by("-date_publication", "-pk")
    )


def parcours_proposables(scope, plie_id):
    """The parcours whose participant ``scope`` may put forward in the PLIE ``plie_id``: every
    active parcours for the employer side (chargé(e), animation, administrateur), the ones they
    follow for a référent."""
    queryset = Parcours.objects.actifs().filter(plie_id=plie_id)
    if not scope.has_role(*EMPLOYER_SIDE_ROLES, plie_id=plie_id):
        queryset = queryset.filter(referent_id=scope.user_id)
    return queryset


def participants_proposables(scope, plie_id):
    """Their participants' identity only (nom, prénom): what the chargé(e) may see of them."""
    ids = parcours_proposables(scope, plie_id).values("participant_id")
    return (
        Participant.objects.filter(pk__in=ids)
        .only("pk", "nom", "prenom", "plie_id")
        .order_by("nom", "prenom")
    )


def offres_pour(scope, parcours, *, codes_rome=(), code_postal="", heures_max=None):
    """The open offers of the parcours' PLIE that fit its participant (``regles.offre_convient``):
    one query, the fit computed on the rows."""
    rows = (
        Offre.objects.visible_to(scope)
        .ouvertes()
        .filter(plie_id=parcours.plie_id)
        .select_related("employeur")
        .order_by("-date_publication", "-pk")
    )
    return [
        offre
        for offre in rows
        if regles.offre_convient(
            offre_rome=offre.code_rome,
            offre_code_postal=offre.code_postal,
            offre_heures=offre.heures_hebdo,
            codes_rome=set(codes_rome),
            code_postal=code_postal,
            heures_max=heures_max,
        )
    ]


def mises_en_relation(scope):
    return MiseEnRelation.objects.visible_to(scope).select_related(
        "offre__employeur", "participant", "parcours"
    )
