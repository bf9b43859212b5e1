"""The browser dashboards (namespace ``reporting``): the dashboard of a PLIE (animation, direction,
gestionnaire, administrateur), the OI's one with a column per PLIE and the consolidation, the
financeur's one (aggregates only, no link to anybody), and the list of the parcours behind any
linked figure.

The figures come from :mod:`reporting.dashboards`; every link carries the figure's indicator,
PLIE and period, and the list re-applies the very condition the figure counted with
(:func:`reporting.dashboards.parcours_derriere`), restricted to the PLIE whose participants the
user may see (``scope.personal_plie_ids``): anything else is a 404."""

import datetime
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET

from parcours.enums import TypeAlerte
from plie.core import dates
from plie.core.enums import Role
from plie.core.models import Structure
from reporting import confidentialite, dashboards
from reporting.dashboards import AUCUN_REFERENT, INDICATEURS
from reporting.flux import Periode
from reporting.permissions import consolidated_plie_ids, dashboard_plie_ids

PAGE_SIZE = 50


def pourcentage(valeur):
    """A rate for display: « 42,5 % », or « — » when it is unknown (denominator 0)."""
    if valeur is None:
        return "—"
    if isinstance(valeur, str):  # « n.c. »: withheld (reporting.confidentialite)
        return valeur
    return f"{valeur * 100:.1f} %".replace(".", ",")


def lien(indicateur, plies, *, du=None, au, **extra):
    """The URL of the list behind a figure."""
    params = [("indicateur", indicateur)]
    params += [("plie", plie.code) for plie in plies]
    if du is not None:
        params.append(("du", du.isoformat()))
    params.append(("au", au.isoformat()))
    params += list(extra.items())
    return f"{reverse('reporting:participants_liste')}?{urlencode(params)}"


def _cellule(valeur, url=None):
    return {"valeur": valeur, "url": url}


def lignes_tableau(tableau, colonnes, *, avec_liens):
    """The rows of the figures table: [{"libelle", "section", "cellules": [{"valeur", "url"}]}],
    one cell per column of ``colonnes`` (a column's PLIE, or every PLIE for the consolidation)."""
    periode = tableau.periode

    def plies_de(colonne):
        return [colonne.plie] if colonne.plie else [c.plie for c in tableau.colonnes]

    def ligne(libelle, valeur, indicateur=None, *, section=False, du=None, au=None, board=None, **extra):
        cellules = []
        for colonne in colonnes:
            url = None
            if avec_liens and board:
                url = f"{board}&{urlencode([('plie', plie.code) for plie in plies_de(colonne)])}"
            elif avec_liens and indicateur:
                url = lien(indicateur, plies_de(colonne), du=du, au=au, **extra)
            cellules.append(_cellule(valeur(colonne), url))
        return {"libelle": libelle, "section": section, "cellules": cellules}

    def titre(libelle):
        return {"libelle": libelle, "section": True, "cellules": []}

    debut, jour = periode.debut, periode.fin
    lignes = [
        titre(f"Flux du {debut:%d/%m/%Y} au {jour:%d/%m/%Y}"),
        ligne(
            f"En parcours au {periode.veille:%d/%m/%Y}",
            lambda c: c.flux["en_parcours_debut"],
            "en_parcours",
            au=periode.veille,
        ),
        ligne("Entrées", lambda c: c.flux["entrees"], "entrees", du=debut, au=jour),
        ligne("Sorties", lambda c: c.sorties, "sorties", du=debut, au=jour),
        ligne(
            "dont sorties positives (validées)",
            lambda c: c.flux["sorties_positives"]["total"],
            "sorties_positives",
            du=debut,
            au=jour,
        ),
        ligne(
            "dont abandons", lambda c: c.flux["sorties_sans_suite"]["abandons"], "abandons", du=debut, au=jour
        ),
        ligne(
            "dont sorties neutralisées (déménagement, décès, retraite…)",
            lambda c: c.flux["sorties_sans_suite"]["neutralisees"],
            "neutralisees",
            du=debut,
            au=jour,
        ),
        ligne(f"En parcours au {jour:%d/%m/%Y}", lambda c: c.flux["en_parcours_fin"], "en_parcours", au=jour),
        titre("Taux"),
        ligne("Sorties positives / sorties", lambda c: pourcentage(c.taux["sorties_positives_sur_sorties"])),
        ligne(
            "Sorties positives / sorties hors neutralisées",
            lambda c: pourcentage(c.taux["sorties_positives_hors_neutralisees"]),
        ),
        ligne("Sorties positives / entrées", lambda c: pourcentage(c.taux["sorties_positives_sur_entrees"])),
        ligne("Abandons / sorties", lambda c: pourcentage(c.taux["abandons_sur_sorties"])),
        titre("Alertes ouvertes"),
    ]
    for type_alerte in TypeAlerte:
        lignes.append(
            ligne(
                type_alerte.label,
                lambda c, t=type_alerte.value: c.alertes.get(t, 0),
                "alerte",
                au=tableau.aujourdhui,
                type=type_alerte.value,
            )
        )
    lignes += [
        titre("Complétude des données FSE"),
        ligne(
            f"En parcours au {jour:%d/%m/%Y} sans questionnaire d'entrée FSE",
            lambda c: c.sans_situation_entree,
            "sans_situation_entree",
            au=jour,
        ),
        titre(f"Opérations FSE de {tableau.aujourdhui.year} : inscriptions"),
    ]
    # The operations' completeness board lists them operation by operation (ops-suivi).
    board = f"{reverse('operations:completude_globale')}?annee={tableau.aujourdhui.year}"
    for cle, libelle in (
        ("inscriptions", "Inscriptions aux opérations"),
        ("entrees_incompletes", "dont questionnaire d'entrée incomplet (inéligibles)"),
        ("sorties_a_renseigner", "Sorties : données à saisir (délai de 4 semaines en cours)"),
        ("sorties_hors_delai", "Sorties : délai de 4 semaines dépassé sans données"),
    ):
        lignes.append(ligne(libelle, lambda c, k=cle: c.completude_operations[k], board=board))
    return lignes


def _nombre(valeur):
    """A count for a key-figure card: « 1 234 » (narrow no-break space), a withheld « < 5 » as is."""
    return f"{valeur:,}".replace(",", "\u202f") if isinstance(valeur, int) else valeur


def chiffres_cles(tableau, colonne, *, avec_liens):
    """The key-figure cards that open a dashboard (before its charts and tables): the caseload
    today, the period's entries and validated positive exits, the positive-exit rate and the open
    alerts; each count linked to its list when ``avec_liens``. The same figures as the table."""
    periode = tableau.periode
    plies = [colonne.plie] if colonne.plie else [c.plie for c in tableau.colonnes]
    flux = colonne.flux
    alertes = list(colonne.alertes.values())
    total_alertes = "n.c." if any(isinstance(v, str) for v in alertes) else sum(alertes)

    def carte(libelle, valeur, detail, url=None, *, alerte=False):
        return {"libelle": libelle, "valeur": _nombre(valeur), "detail": detail, "url": url, "alerte": alerte}

    def url(indicateur, **params):
        return lien(indicateur, plies, **params) if avec_liens else None

    depuis = f"du {periode.debut:%d/%m/%Y} au {periode.fin:%d/%m/%Y}"
    return [
        carte(
            "En parcours",
            flux["en_parcours_fin"],
            f"au {periode.fin:%d/%m/%Y}",
            url("en_parcours", au=periode.fin),
        ),
        carte("Entrées", flux["entrees"], depuis, url("entrees", du=periode.debut, au=periode.fin)),
        carte(
            "Sorties positives validées",
            flux["sorties_positives"]["total"],
            depuis,
            url("sorties_positives", du=periode.debut, au=periode.fin),
        ),
        carte(
            "Taux de sorties positives",
            pourcentage(colonne.taux["sorties_positives_sur_sorties"]),
            "des sorties de la période",
        ),
        carte(
            "Alertes ouvertes", total_alertes, f"au {tableau.aujourdhui:%d/%m/%Y}", alerte=bool(total_alertes)
        ),
    ]


def lignes_tendance(tableau, colonne, *, avec_liens):
    """The 12-month trend of ``colonne`` as table rows, each value linked to its list."""
    plies = [colonne.plie] if colonne.plie else [c.plie for c in tableau.colonnes]
    lignes = []
    for mois in colonne.tendance:
        periode = mois["mois"]
        cellules = []
        for serie, _ in dashboards.SERIES:
            url = None
            if avec_liens:
                du = periode.debut if INDICATEURS[serie].sur_periode else None
                url = lien(serie, plies, du=du, au=periode.fin)
            cellules.append(_cellule(mois[serie], url))
        lignes.append({"libelle": f"{periode.debut:%m/%Y}", "cellules": cellules})
    return lignes


def files_actives(tableau, colonne):
    """The caseload rows of a PLIE, each linked to the référent's list."""
    rows = []
    for row in colonne.files_actives:
        referent = row["referent_id"] or AUCUN_REFERENT
        if row["referent_id"]:
            nom = (
                f"{row['referent__first_name']} {row['referent__last_name']}".strip()
                or row["referent__email"]
            )
        else:
            nom = "Sans référent"
        url = lien("file_active", [colonne.plie], au=tableau.aujourdhui, referent=referent)
        rows.append({"nom": nom, "n": row["n"], "url": url})
    return rows


def _choisir_plie(request, plie_ids):
    """The PLIE picked with ``?plie=<code>`` among ``plie_ids`` (the first by name by default)
    and all of them, ordered by name (one query); another PLIE is a 404."""
    plies = list(Structure.objects.plies().filter(id__in=plie_ids).order_by("nom"))
    code = request.GET.get("plie")
    if not code:
        return plies[0], plies
    for plie in plies:
        if plie.code == code:
            return plie, plies
    raise Http404


@login_required
@require_GET
def dashboard(request):
    plie_ids = dashboard_plie_ids(request.scope)
    if not plie_ids:
        if consolidated_plie_ids(request.scope):  # an OI membership: aggregates only
            return redirect("reporting:dashboard_oi")
        if request.scope.has_role(Role.FINANCEUR):
            return redirect("reporting:dashboard_financeur")
        raise PermissionDenied
    plie, plies = _choisir_plie(request, plie_ids)
    tableau = dashboards.tableau([plie.id])
    colonne = tableau.colonnes[0]
    context = {
        "plie": plie,
        "plies": plies,
        "tableau": tableau,
        "colonnes": [colonne],
        "lignes": lignes_tableau(tableau, [colonne], avec_liens=True),
        "chiffres_cles": chiffres_cles(tableau, colonne, avec_liens=True),
        "tendance": lignes_tendance(tableau, colonne, avec_liens=True),
        "files_actives": files_actives(tableau, colonne),
        "total_file_active": colonne.total_file_active,
        "lien_file_active": lien("en_parcours", [plie], au=tableau.aujourdhui),
        "series": dashboards.SERIES,
        "plusieurs_plie": len(plie_ids) > 1,
    }
    return render(request, "reporting/dashboard.html", context)


@login_required
@require_GET
def dashboard_oi(request):
    """The PLIE side by side and consolidated. Links to the lists of people only for whoever sees
    every PLIE's participants; an OI membership reads the figures only, small counts « < 5 »."""
    plie_ids = consolidated_plie_ids(request.scope)
    if not plie_ids:
        raise PermissionDenied
    tableau = dashboards.tableau(plie_ids, avec_files_actives=False)
    avec_liens = plie_ids <= dashboard_plie_ids(request.scope)
    if not avec_liens and confidentialite.agrege_seulement(request.scope, plie_ids):
        confidentialite.masquer_tableau(tableau)
    colonnes = [*tableau.colonnes, tableau.total] if len(tableau.colonnes) > 1 else tableau.colonnes
    context = {
        "tableau": tableau,
        "colonnes": colonnes,
        "lignes": lignes_tableau(tableau, colonnes, avec_liens=avec_liens),
        "chiffres_cles": chiffres_cles(tableau, tableau.total, avec_liens=avec_liens),
        "tendance": lignes_tendance(tableau, tableau.total, avec_liens=avec_liens),
        "series": dashboards.SERIES,
    }
    return render(request, "reporting/dashboard_oi.html", context)


@login_required
@require_GET
def dashboard_financeur(request):
    """Aggregates only: the same figures without any link, no caseload per référent."""
    plie_ids = request.scope.plie_ids
    if not plie_ids:
        raise PermissionDenied
    plie, plies = _choisir_plie(request, plie_ids)
    tableau = dashboards.tableau([plie.id], avec_files_actives=False)
    if confidentialite.agrege_seulement(request.scope, [plie.id]):
        confidentialite.masquer_tableau(tableau)  # small counts « < 5 »
    colonne = tableau.colonnes[0]
    context = {
        "plie": plie,
        "plies": plies,
        "tableau": tableau,
        "colonnes": [colonne],
        "lignes": lignes_tableau(tableau, [colonne], avec_liens=False),
        "chiffres_cles": chiffres_cles(tableau, colonne, avec_liens=False),
        "tendance": lignes_tendance(tableau, colonne, avec_liens=False),
        "series": dashboards.SERIES,
    }
    return render(request, "reporting/dashboard_financeur.html", context)


# --- The list behind a figure ------------------------------------------------------------------


class ParametreInvalide(ValueError):
    pass


def _date(params, nom):
    try:
        return dates.parse_date(params.get(nom))
    except dates.DateInvalide as error:
        message = f"Date « {nom} » invalide : « {error.valeur} » (attendu jj/mm/aaaa)."
        raise ParametreInvalide(message) from None


def parametres_liste(params, aujourdhui):
    """(indicateur, Periode, extra kwargs of ``parcours_derriere``) from the query string; a
    French message (:class:`ParametreInvalide`) naming the faulty parameter otherwise."""
    indicateur = params.get("indicateur", "")
    if indicateur not in INDICATEURS:
        raise ParametreInvalide(f"Indicateur inconnu : « {indicateur} ».")
    au = _date(params, "au") or aujourdhui
    du = _date(params, "du") if INDICATEURS[indicateur].sur_periode else None
    if du is None:
        du = datetime.date(au.year, 1, 1) if INDICATEURS[indicateur].sur_periode else au
    if au < du:
        raise ParametreInvalide("La date « au » précède la date « du ».")
    extra = {}
    if indicateur == "alerte":
        type_alerte = params.get("type", "")
        if type_alerte not in TypeAlerte.values:
            raise ParametreInvalide(f"Type d'alerte inconnu : « {type_alerte} ».")
        extra["type_alerte"] = type_alerte
    if indicateur == "file_active":
        referent = params.get("referent", "")
        if referent != AUCUN_REFERENT and not referent.isdigit():
            raise ParametreInvalide(f"Référent invalide : « {referent} ».")
        extra["referent"] = referent if referent == AUCUN_REFERENT else int(referent)
    return indicateur, Periode(du, au), extra


@login_required
@require_GET
def participants_liste(request):
    """The parcours behind one figure of a dashboard, paginated. Only PLIE whose participants
    the user may see: a financeur, another PLIE or a PLIE unknown is a 404."""
    codes = sorted(set(request.GET.getlist("plie")))
    personal = request.scope.personal_plie_ids
    if not codes or not personal:
        raise Http404
    plies = list(Structure.objects.plies().filter(code__in=codes, id__in=personal).order_by("nom"))
    if len(plies) != len(codes):
        raise Http404
    try:
        indicateur, periode, extra = parametres_liste(request.GET, timezone.localdate())
    except ParametreInvalide as erreur:
        return render(request, "reporting/participants_liste.html", {"erreur": str(erreur)}, status=400)
    queryset = (
        dashboards.parcours_derriere([p.id for p in plies], indicateur, periode, **extra)
        .select_related("participant", "plie", "referent")
        .order_by("participant__nom", "participant__prenom", "pk")
    )
    page = Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))
    libelle = INDICATEURS[indicateur].libelle
    if indicateur == "alerte":
        libelle = f"{libelle} : {TypeAlerte(extra['type_alerte']).label}"
    context = {
        "erreur": None,
        "libelle": libelle,
        "plies": plies,
        "periode": periode,
        "sur_periode": INDICATEURS[indicateur].sur_periode,
        "page": page,
        "retour": reverse("reporting:dashboard") + (f"?plie={plies[0].code}" if len(plies) == 1 else ""),
    }
    return render(request, "reporting/participants_liste.html", context)
