"""Writes on a parcours: the candidature, the commission's sessions and decisions, suspensions,
changes of référent and exits.

Every function is keyword-only and atomic, checks who may act, and validates what it is given,
raising a ``ValidationError`` per field with French messages (nothing is half-saved). Status
changes go through :func:`parcours.transitions.transition`.

**Optimistic locking.** A service that changes a parcours takes the ``version`` the user's form
was built from. It re-reads the parcours row locked (``select_for_update``) and refuses with
:class:`ConflictError` when the version moved in between (someone else saved first); each save
bumps the version. Two people editing the same parcours therefore never silently overwrite each
other: the second one is told who changed it, and when, and reloads.

One module per subject, their public functions gathered here (``services.sortie_record``):

- :mod:`~parcours.services.candidatures`: proposing a person;
- :mod:`~parcours.services.commissions`: sessions, agendas, decisions;
- :mod:`~parcours.services.suivi`: entretiens, étapes and contracts (``services.suivi``);
- :mod:`~parcours.services.suspensions`: suspensions and changes of référent;
- :mod:`~parcours.services.sorties`: recording, validating, withdrawing, cancelling an exit;
- :mod:`~parcours.services.partenaires`: what partners write (orientation, presence, outcome);
- :mod:`~parcours.services.common`: locking, errors, the PLIE's referentials."""

from parcours.services.candidatures import (  # noqa: F401
    candidature_create,
    candidatures_a_presenter,
)
from parcours.services.commissions import (  # noqa: F401
    commission_add_to_agenda,
    commission_close,
    commission_create,
    commission_delete,
    commission_remove_from_agenda,
    commission_update,
    decision_record,
    sorties_a_valider,
)
from parcours.services.common import (  # noqa: F401
    INCARCERATION_MAX_MOIS,
    STATUTS_OUVERTS,
    ConflictError,
    prescripteurs_of,
    referents_of,
    reorientation_structures_of,
    types_sortie_of,
)
from parcours.services.partenaires import (  # noqa: F401
    etape_outcome_record,
    orientation_create,
    presence_record,
)
from parcours.services.sorties import (  # noqa: F401
    date_validable_of,
    etapes_close_at_exit,
    regle_label,
    sortie_cancel,
    sortie_record,
    sortie_regle_errors,
    sortie_validate,
    sortie_withdraw,
)
from parcours.services.suspensions import (  # noqa: F401
    referent_change,
    suspension_en_cours,
    suspension_end,
    suspension_start,
)
