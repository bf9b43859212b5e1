"""Who may do what with the reports: every predicate of the reporting app.

Figures (bilan, monthly report, consolidated dashboards) are for whoever sees the figures of a
PLIE (``scope.plie_ids``), financeurs included: aggregates, never a participant. What names
people (the dashboards' lists, the participants export) needs their personal data too. Each
predicate takes the :class:`~plie.core.scoping.Scope` of whoever acts and makes no query."""

from plie.core.enums import Role
from reporting.models import ExportDemande

# Who gets the dashboards with links to people (per PLIE); a financeur gets the aggregate one.
DASHBOARD_ROLES = (Role.ANIMATION, Role.DIRECTION, Role.GESTIONNAIRE, Role.ADMINISTRATEUR)


def can_view_dashboard(scope, plie_id):
    """Open the dashboard of the PLIE ``plie_id`` with its links to participants: **animation**,
    **direction**, **gestionnaire** and **administrateur** of the PLIE (a financeur gets the
    aggregate dashboard only)."""
    return scope.sees_personal_data(plie_id) and scope.has_role(*DASHBOARD_ROLES, plie_id=plie_id)


def can_view_consolidated_dashboard(scope, plie_id):
    """Read the PLIE ``plie_id``'s column of the consolidated (OI) dashboard: the same roles as
    :func:`can_view_dashboard`, held in the PLIE or through its OI; without the PLIE's personal
    data (an OI membership, ``plie.core.scoping``) the figures come without links to people and
    under the small-cell suppression."""
    return plie_id in scope.plie_ids and scope.has_role(*DASHBOARD_ROLES, plie_id=plie_id)


def consolidated_plie_ids(scope):
    """The PLIE of ``scope``'s consolidated dashboard (:func:`can_view_consolidated_dashboard`)."""
    return frozenset(p for p in scope.plie_ids if can_view_consolidated_dashboard(scope, p))


def dashboard_plie_ids(scope):
    """The PLIE whose dashboard ``scope`` may open (:func:`can_view_dashboard`)."""
    return frozenset(plie_id for plie_id in scope.personal_plie_ids if can_view_dashboard(scope, plie_id))


def exportable_plie_ids(scope, kind):
    """The PLIE ids ``scope`` may export ``kind`` over: the participants list over the PLIE whose
    participants it sees; a bilan over the PLIE whose figures it sees."""
    return scope.personal_plie_ids if kind == ExportDemande.Kind.PARTICIPANTS_XLSX else scope.plie_ids


def can_download_export(scope, demande):
    """Download the file of the export ``demande``: its requester only, and only while every PLIE
    of the export is still in their scope (a revoked membership revokes the file)."""
    return (
        scope.user_id is not None
        and demande.user_id == scope.user_id
        and set(demande.params.get("plie_ids", ())) <= exportable_plie_ids(scope, demande.kind)
    )


# Who closes a period of a PLIE's reports, and who follows the closures.
CLOSE_ROLES = (Role.GESTIONNAIRE, Role.ADMINISTRATEUR)
CLOTURES_ROLES = (Role.GESTIONNAIRE, Role.DIRECTION, Role.ADMINISTRATEUR)


def can_close_periode(scope, plie_id):
    """Close a month (the monthly report) or a year (the bilan and its FSE indicators) of the
    PLIE ``plie_id``, or close a new version after a rectificatif: **gestionnaire** and
    **administrateur** of the PLIE."""
    return plie_id in scope.plie_ids and scope.has_role(*CLOSE_ROLES, plie_id=plie_id)


def can_view_clotures(scope, plie_id):
    """Open the « Clôtures » page of the PLIE ``plie_id`` (its closed periods and whether their
    data changed since): **gestionnaire**, **direction** and **administrateur** of the PLIE (an
    OI's direction over its PLIE)."""
    return plie_id in scope.plie_ids and scope.has_role(*CLOTURES_ROLES, plie_id=plie_id)


def can_view_rectificatif_participants(scope, plie_id):
    """See the participants behind a rectificatif's differences (names, links to their
    dossiers): whoever sees the personal data of the PLIE ``plie_id``; a financeur sees the
    differences and how many participants are behind each, never who."""
    return scope.sees_personal_data(plie_id)
