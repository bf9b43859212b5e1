"""What a prescripteur reads of the people it oriented into the PLIE (issue 16).

The status of an orientation is computed from the parcours and its candidature's decisions, by
:func:`statut_orientation`, a pure function over plain values (table-driven tests, no database):

- **reçue**: a candidature not yet on the agenda of a commission to come;
- **en commission**: on the agenda of a session to come (or held, undecided yet);
- **admis**, **ajourné**, **refusé**, **réorienté**: the commission's last decision on the
  candidature, with the motif it chose to share (``Decision.motif_partage``; never the
  procès-verbal's ``motif``);
- **sorti**: the parcours ended, with the exit's category (« Positive — emploi durable »…).

Nothing else of the dossier reaches a prescripteur: no entretien, frein, document, étape or
answer of the situation at entry (``plie.core.scoping``)."""

from dataclasses import dataclass

from parcours.enums import CategorieSortie, StatutOrientation, StatutParcours, TypeDecision
from plie.core.enums import label_of

ADMITTED = (StatutParcours.EN_PARCOURS, StatutParcours.SUSPENDU, StatutParcours.EN_SUIVI_EMPLOI)
SHARED_MOTIF_STATUSES = (
    StatutOrientation.ADMIS,
    StatutOrientation.AJOURNE,
    StatutOrientation.REFUSE,
    StatutOrientation.REORIENTE,
)


def statut_orientation(status, *, derniere_decision="", a_l_ordre_du_jour=False):
    """The :class:`StatutOrientation` of a parcours in ``status`` whose candidature's last
    decision is ``derniere_decision`` (a :class:`TypeDecision` value, ``""`` when none) and that
    waits on the agenda of a commission (``a_l_ordre_du_jour``)."""
    if status == StatutParcours.SORTI:
        return StatutOrientation.SORTI
    if status in ADMITTED:
        return StatutOrientation.ADMIS
    if status == StatutParcours.NON_ADMIS:
        if derniere_decision == TypeDecision.REORIENTE:
            return StatutOrientation.REORIENTE
        return StatutOrientation.REFUSE
    if a_l_ordre_du_jour:
        return StatutOrientation.EN_COMMISSION
    if derniere_decision == TypeDecision.AJOURNE:
        return StatutOrientation.AJOURNE
    return StatutOrientation.RECUE


@dataclass(frozen=True)
class SuiviOrientation:
    """One orientation as its prescripteur reads it (the page and the API)."""

    parcours_id: int
    nom: str
    prenom: str
    date_naissance: object
    plie: str
    prescripteur: str
    date_orientation: object
    statut: str
    statut_libelle: str
    motif_partage: str
    categorie_sortie: str
    date_decision: object
    updated_at: object


def suivi_orientation(parcours):
    """The :class:`SuiviOrientation` of ``parcours``, loaded by
    ``parcours.selectors.orientations_for`` (participant, PLIE, prescripteur, exit type and
    candidature decisions with their commission: no query here)."""
    decisions = list(parcours.decisions_candidature)
    decided = [d for d in decisions if d.decision]
    derniere = max(decided, key=lambda d: (d.commission.date, d.pk), default=None)
    pending = any(not d.decision for d in decisions)
    statut = statut_orientation(
        parcours.status,
        derniere_decision=derniere.decision if derniere else "",
        a_l_ordre_du_jour=pending,
    )
    sortie = getattr(parcours, "sortie", None)
    categorie = ""
    if statut == StatutOrientation.SORTI and sortie is not None and sortie.type_id is not None:
        categorie = label_of(CategorieSortie, sortie.type.categorie)
    participant = parcours.participant
    return SuiviOrientation(
        parcours_id=parcours.pk,
        nom=participant.nom,
        prenom=participant.prenom,
        date_naissance=participant.date_naissance,
        plie=parcours.plie.nom,
        prescripteur=parcours.prescripteur.nom if parcours.prescripteur_id else "",
        date_orientation=parcours.date_orientation,
        statut=statut.value,
        statut_libelle=statut.label,
        motif_partage=derniere.motif_partage if derniere and statut in SHARED_MOTIF_STATUSES else "",
        categorie_sortie=categorie,
        date_decision=derniere.commission.date if derniere else None,
        updated_at=parcours.updated_at,
    )
