"""The follow-up pages of an operation: the FSE completeness board (per enrolment, and its counts
across operations), occupancy, results against targets.

Scoping (``plie.core.scoping``): the per-enrolment board names participants, so it needs the
personal data of the operation's PLIE (anybody else, financeur included, gets a 404, as for
another PLIE's operation). Counts, occupancy and results are figures: any user whose figures
scope holds the operation's PLIE reads them (a financeur of the PLIE too); the occupancy per
référent names the PLIE's staff and is shown to those who see participants only."""

from urllib.parse import quote

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET

from entreprises.compteurs import compteurs_periode
from operations import indicateurs_fse, selectors
from operations.models import Operation
from operations.views_operations import _fillable_ids
from plie.core import charts
from plie.core.confidentialite import NON_COMMUNIQUE, masquer, masquer_compte
from plie.core.dates import mois_court
from plie.core.urls_helpers import url_par_pk

LIGNES_PAR_PAGE = 100


class _Compte:
    """A queryset whose count is already known (from the board's aggregate): the paginator
    slices it without a second ``COUNT(*)`` over the same conditions."""

    def __init__(self, queryset, count):
        self.queryset, self._count = queryset, count

    def count(self):
        return self._count

    def __len__(self):
        return self._count

    def __getitem__(self, index):
        return self.queryset[index]


def _operation_chiffres(scope, pk):
    """An operation whose figures ``scope`` may read, else 404."""
    return get_object_or_404(Operation.objects.visible_to(scope).select_related("plie"), pk=pk)


def _operation_nominative(scope, pk):
    """An operation whose participants ``scope`` may see, else 404 (financeur, other PLIE)."""
    operation = _operation_chiffres(scope, pk)
    if not scope.sees_personal_data(operation.plie_id):
        raise Http404
    return operation


def _pourcentage(valeur):
    if valeur is None:
        return "—"
    return f"{valeur * 100:.1f} %".replace(".", ",")


@login_required
@require_GET
def completude(request, pk):
    """The completeness board of one operation: entries with missing answers (ineligible), exits
    without exit data within / past the 4-week window; each line links to the form that fixes it
    and comes back here; and the open enrolments whose parcours has exited (to close at the
    parcours' exit date). 6 queries whatever the size after the scope (operation, counts, the
    page of incomplete entries, exits to record, exits past the window, enrolments to close)."""
    operation = _operation_nominative(request.scope, pk)
    today = timezone.localdate()
    compteurs = selectors.completude_operation(operation, today)
    back = quote(request.get_full_path())
    questionnaire_url = url_par_pk("operations:inscription_questionnaire", f"?next={back}")
    sortie_url = url_par_pk("operations:inscription_sortie", f"?next={back}")
    lignes = _Compte(selectors.inscriptions_incompletes(operation), compteurs["entrees_incompletes"])
    page = Paginator(lignes, LIGNES_PAR_PAGE).get_page(request.GET.get("page"))
    incompletes = selectors.avec_manques(list(page.object_list))
    a_renseigner, hors_delai = selectors.sorties_sans_donnees(operation, today)
    a_clore = selectors.parcours_sortis_inscription_ouverte(operation)
    # A line links to its form only for whoever may fill it (operations.permissions.can_fill,
    # batched): direction reads the board, the forms would refuse it (403).
    fillable = _fillable_ids(request.scope, operation, [*incompletes, *a_renseigner, *hors_delai, *a_clore])
    for inscription in incompletes:
        inscription.url = questionnaire_url(inscription.pk) if inscription.pk in fillable else ""
    for inscription in (*a_renseigner, *hors_delai):
        inscription.url = sortie_url(inscription.pk) if inscription.pk in fillable else ""
    for inscription in a_clore:
        inscription.url = (
            f"{sortie_url(inscription.pk)}&date={inscription.date_sortie_proposee:%d/%m/%Y}"
            if inscription.pk in fillable
            else ""
        )
    return render(
        request,
        "operations/suivi/completude.html",
        {
            "operation": operation,
            "detail_url": operation.get_absolute_url(),
            "today": today,
            "compteurs": compteurs,
            "page": page,
            "incompletes": incompletes,
            "a_renseigner": a_renseigner,
            "hors_delai": hors_delai,
            "hors_delai_tronque": compteurs["sorties_hors_delai"] > len(hors_delai),
            "a_clore": a_clore,
        },
    )


@login_required
@require_GET
def completude_globale(request):
    """The completeness counts of every operation of the PLIE the user may see, for a year
    (``?annee=``, the current one by default: operations whose period overlaps it), optionally of
    some of those PLIE only (``?plie=CODE``, repeatable). 2 queries after the scope."""
    scope = request.scope
    if not scope.plie_ids:
        raise Http404
    today = timezone.localdate()
    try:
        annee = int(request.GET.get("annee") or today.year)
    except ValueError:
        annee = today.year
    operations = selectors.de_l_annee(Operation.objects.visible_to(request.scope), annee)
    codes = request.GET.getlist("plie")  # ?plie=CODE (repeatable): the PLIE of a dashboard column
    if codes:
        operations = operations.filter(plie__code__in=codes)
    lignes, total = selectors.completude_par_operation(operations, today)
    for operation in lignes:
        operation.board_url = (
            reverse("operations:completude", args=[operation.pk])
            if scope.sees_personal_data(operation.plie_id)
            else ""
        )
    return render(
        request,
        "operations/suivi/completude_globale.html",
        {
            "lignes": lignes,
            "total": total,
            "annee": annee,
            "annees": [annee - 1, annee, annee + 1],
            "plusieurs_plie": len({o.plie_id for o in lignes}) > 1,
        },
    )


@login_required
@require_GET
def occupation(request, pk):
    """Occupancy of an operation: participants enrolled on the last day of each month vs places,
    per operation and per référent, as a table and a bar chart (SVG). 3-4 queries."""
    operation = _operation_chiffres(request.scope, pk)
    today = timezone.localdate()
    nominatif = request.scope.sees_personal_data(operation.plie_id)
    occ = selectors.occupation(operation, today, par_referent=nominatif)
    for mois in occ.mois:
        mois["libelle"] = mois_court(mois["jour"])
        mois["taux_txt"] = _pourcentage(mois["taux"])
        if not nominatif and isinstance(masquer_compte(mois["presents"]), str):
            # aggregates only: a small count « < 5 », its rate withheld (plie.core.confidentialite)
            mois["presents"], mois["taux_txt"] = masquer_compte(mois["presents"]), NON_COMMUNIQUE
    graphique = charts.barres_mensuelles(
        [(m["libelle"], m["presents"]) for m in occ.mois],
        titre=f"Participants présents en fin de mois (places : {operation.places or '—'})",
        largeur=640,
    )
    return render(
        request,
        "operations/suivi/occupation.html",
        {
            "operation": operation,
            "detail_url": operation.get_absolute_url(),
            "occupation": occ,
            "taux_moyen": _pourcentage(occ.taux_moyen),
            "graphique": graphique,
            "nominatif": nominatif,
        },
    )


@login_required
@require_GET
def resultats(request, pk):
    """Results of an operation against its targets, in its own exit nomenclature, and its FSE
    output and result indicators over its period (the longer-term ones six months after exit
    included), and the employer side's counts over that period (``entreprises.compteurs``).
    11 queries after the scope."""
    operation = _operation_chiffres(request.scope, pk)
    result = selectors.resultats_operation(operation)
    fse = indicateurs_fse.indicateurs_fse(
        operation.inscriptions.all(), operation.date_debut, operation.date_fin, timezone.localdate()
    )
    agregats = not request.scope.sees_personal_data(operation.plie_id)
    six_mois = indicateurs_fse.indicateurs_six_mois(
        operation.inscriptions.all(), operation.date_debut, operation.date_fin, timezone.localdate()
    )
    entreprises = compteurs_periode([operation.plie_id], operation.date_debut, operation.date_fin)
    if agregats:  # counts of people: « < 5 » for an aggregate reader (complementary suppression)
        six_mois = masquer(six_mois)
        entreprises.update(masquer({k: entreprises[k] for k in ("retenus", "presents")}))
    long_terme, situations = indicateurs_fse.lignes_six_mois(six_mois)
    for classe in result["classes"]:
        classe["taux_txt"] = _pourcentage(classe["taux"])
        if agregats and isinstance(masquer_compte(classe["nombre"]), str):  # plie.core.confidentialite
            classe["nombre"], classe["taux_txt"] = masquer_compte(classe["nombre"]), NON_COMMUNIQUE
        classe["objectif_txt"] = _pourcentage(classe["objectif"]) if classe["objectif"] is not None else ""
        ecart = classe["ecart"]
        classe["ecart_txt"] = (
            ""
            if ecart is None
            else ("+" if ecart >= 0 else "−") + _pourcentage(abs(ecart)).replace(" %", " pt")
        )
    graphique = charts.barres_horizontales(
        [(c["libelle"][:40], c["nombre"]) for c in result["classes"]],
        titre="Sorties par catégorie",
        largeur=640,
    )
    return render(
        request,
        "operations/suivi/resultats.html",
        {
            "operation": operation,
            "detail_url": operation.get_absolute_url(),
            "resultats": result,
            "taux_participants": _pourcentage(result["taux_participants"]),
            # the FSE indicators (disability EECO12 among them): « < 5 » for an aggregate reader
            "fse_entree": [
                (libelle, masquer_compte(fse["entree"][cle]) if agregats else fse["entree"][cle])
                for cle, libelle in indicateurs_fse.ENTREE
            ],
            "fse_sortie": [
                (libelle, masquer_compte(fse["sortie"][cle]) if agregats else fse["sortie"][cle])
                for cle, libelle in indicateurs_fse.SORTIE
            ],
            "graphique": graphique,
            "nominatif": request.scope.sees_personal_data(operation.plie_id),
            "entreprises": entreprises,
            "fse_long_terme": long_terme,
            "fse_situations": situations,
            "realises_sur_dus": indicateurs_fse.realises_sur_dus(six_mois),
        },
    )
