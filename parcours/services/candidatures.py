"""The candidature: a person proposed to the PLIE, waiting for the commission."""

from django.core.exceptions import NON_FIELD_ERRORS
from django.db import transaction

from parcours.enums import (
    DistanceEmploi,
    ObjetPassage,
    StatutCommission,
    StatutParcours,
)
from parcours.models import (
    Decision,
    Parcours,
)
from parcours.permissions import (
    can_follow_parcours,
)
from parcours.services.common import (
    STATUTS_OUVERTS,
    _add,
    _not_future,
    _raise,
    _require,
    prescripteurs_of,
    referents_of,
)


@transaction.atomic
def candidature_create(
    *,
    scope,
    participant,
    prescripteur,
    date_orientation,
    motif_orientation="",
    projet="",
    freins_diagnostic="",
    distance_emploi="",
    referent=None,
):
    """Record a prescripteur's orientation and the référent's diagnostic: a new parcours in
    the status ``candidat``, to be presented to the commission."""
    plie_id = participant.plie_id
    _require(can_follow_parcours(scope, plie_id))
    errors = {}
    ouvert = Parcours.objects.filter(participant=participant, status__in=STATUTS_OUVERTS).first()
    if ouvert is not None:
        _add(
            errors,
            NON_FIELD_ERRORS,
            f"{participant} a déjà un parcours ouvert (statut « {ouvert.get_status_display()} »).",
        )
    if prescripteur is None:
        _add(errors, "prescripteur", "Indiquez le prescripteur qui oriente la personne.")
    elif not prescripteurs_of(plie_id).filter(pk=prescripteur.pk).exists():
        _add(errors, "prescripteur", "Ce prescripteur n'est pas partenaire du PLIE.")
    if date_orientation is None:
        _add(errors, "date_orientation", "La date d'orientation est obligatoire.")
    _not_future(errors, "date_orientation", date_orientation, "La date d'orientation")
    if distance_emploi and distance_emploi not in DistanceEmploi.values:
        _add(errors, "distance_emploi", "Choisissez une distance à l'emploi de la liste.")
    if referent is not None and not referents_of(plie_id).filter(pk=referent.pk).exists():
        _add(errors, "referent", "Cette personne n'est pas référent de parcours du PLIE.")
    _raise(errors)
    parcours = Parcours(
        participant=participant,
        plie_id=plie_id,
        status=StatutParcours.CANDIDAT,
        prescripteur=prescripteur,
        date_orientation=date_orientation,
        motif_orientation=motif_orientation.strip(),
        projet=projet.strip(),
        freins_diagnostic=freins_diagnostic.strip(),
        distance_emploi=distance_emploi,
        referent=referent,
        created_by=scope.user,
    )
    parcours._history_user = scope.user
    parcours.save()
    return parcours


def candidatures_a_presenter(plie_id):
    """Candidatures of the PLIE not yet on the agenda of a session to come."""
    a_l_ordre_du_jour = Decision.objects.filter(
        commission__status=StatutCommission.PREVUE, objet=ObjetPassage.CANDIDATURE
    ).values("parcours_id")
    return (
        Parcours.objects.filter(plie_id=plie_id, status=StatutParcours.CANDIDAT)
        .exclude(pk__in=a_l_ordre_du_jour)
        .select_related("participant", "referent", "prescripteur")
        .order_by("date_orientation", "pk")
    )
