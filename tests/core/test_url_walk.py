"""The URL walk: every URL pattern of the project, as every account that must not read PLIE A's
people, GET and POST, every body read back (HTML, PDF, XLSX, CSV, JSON, ICS).

- the patterns are resolved from the root URLconf (the admin's included): a pattern whose path
  parameters this test does not know how to fill FAILS the test (:data:`PARAMETRES`), so a new
  view is walked from the day it exists, and a new view without scoping leaks here first;
- the parameters are the ids of PLIE A's objects, built by :func:`plie_a` (one of each kind:
  the dossiers and parcours, the operations, the employer side, the finances, the personal data
  rights, an API token); the REST API's routes (and their ``.json`` variants) are walked with
  the same session (DRF's SessionAuthentication), and a persona logged out by the walk's POST
  to ``logout`` is logged in again;
- the accounts: every role of PLIE B (same OI), the direction of PLIE A's own OI (an OI
  membership reads aggregates only), the direction of another OI and the animation of one of
  its PLIE, the financeur (partner of A: aggregates only), an opérateur's référent, a user
  without role and anonymous;
- none may read PLIE A's participants' names or birth dates, get a 5xx, or change PLIE A's data
  (every row of the domain models fingerprinted before and after);
- the positive control walks as PLIE A's own référent and must find leaks: the detector works.

A public URL (reachable without an account and walked like the others) is listed in
:data:`PUBLIQUES`; nothing else is exempt."""

import datetime
import hashlib
import io
import re
import zipfile

import pytest
from django.apps import apps
from django.conf import settings as django_settings
from django.contrib.contenttypes.models import ContentType
from django.core.files.base import ContentFile
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from entreprises.enums import SituationSixMois, TypeActionEntreprise
from entreprises.models import ActionEntreprise, PresenceAction, SuiviSixMois
from entreprises.preuves import EXTRACTIONS
from finances.enums import CategorieDepense, Financeur, Nature
from finances.models import Depense, ParametresFinanciers, Ressource
from operations.models import Inscription
from parcours.enums import TypeAlerte
from parcours.models import Alerte, Decision, ImportParcours
from plie.core.enums import Role
from plie.core.scoping import scope_for
from plie.core.tokens import token_create
from reporting.models import ExportDemande
from rgpd.models import ConservationPlie, Opposition
from tests.entreprises.factories import (
    ContactFactory,
    ConventionFactory,
    EchangeFactory,
    EmployeurFactory,
    HeuresMoisFactory,
    MarcheFactory,
    MiseEnRelationFactory,
    OffreFactory,
    PlacementFactory,
)
from tests.factories import (
    DocumentFactory,
    FreinFactory,
    MembershipFactory,
    ParticipantFactory,
    PlieFactory,
    SituationEntreeFactory,
    UserFactory,
)
from tests.finances.factories import (
    AffectationFactory,
    FicheTempsFactory,
    LigneTempsFactory,
    PersonnelFactory,
)
from tests.operations.factories import (
    ActionCollectiveFactory,
    InscriptionFactory,
    OperationFactory,
    PresenceFactory,
)
from tests.parcours.factories import (
    CommissionFactory,
    EntretienFactory,
    EtapeFactory,
    ParcoursFactory,
    SortieFactory,
    SuspensionFactory,
    TypeEtapeFactory,
)

NOM, PRENOM, NAISSANCE = "Quasimodoleak", "Zéphyrine", datetime.date(1971, 3, 17)
NOM_2, NAISSANCE_2 = "Xanthippeleak", datetime.date(1968, 11, 29)
# What must never come out: the names (any case, with or without accent) and the birth dates
# in every format an export writes.
AIGUILLES = re.compile(
    r"quasimodoleak|xanthippeleak|z[ée]phyrine|17/03/1971|1971-03-17|17\.03\.1971|29/11/1968|1968-11-29",
    re.IGNORECASE,
)
# Reachable without an account (login, health check, CSP reports…): walked like the others.
PUBLIQUES = {"login", "health", "csp_report", "otp_verify", "api-root"}
DOMAINE = ("participants", "parcours", "operations", "reporting", "entreprises", "finances", "rgpd")


# --- PLIE A, one object of each kind -----------------------------------------------------------


@pytest.fixture
def plie_a(world):
    plie = world.plie_a
    referent = world.referent_a
    participant = ParticipantFactory(
        plie=plie,
        nom=NOM,
        prenom=PRENOM,
        date_naissance=NAISSANCE,
        telephone="06 11 22 33 44",
        commune="Lyon",
    )
    SituationEntreeFactory(participant=participant, complete=True, handicap_reconnu=True)
    frein = FreinFactory(participant=participant, type="sante")
    document = DocumentFactory(participant=participant, uploaded_by=referent)
    parcours = ParcoursFactory(plie=plie, participant=participant, en_parcours=True, referent=referent)
    entretien = EntretienFactory(
        parcours=parcours,
        referent=referent,
        notes=f"Entretien avec {PRENOM} {NOM}",
        prochain_rdv=timezone.now() + datetime.timedelta(days=7),
    )
    type_etape = TypeEtapeFactory(plie=plie)
    etape = EtapeFactory(parcours=parcours, type=type_etape)
    suspension = SuspensionFactory(parcours=parcours)
    autre = ParticipantFactory(plie=plie, nom=NOM_2, prenom="Aurèle", date_naissance=NAISSANCE_2)
    sortie = SortieFactory(
        parcours=ParcoursFactory(plie=plie, participant=autre, sorti=True, referent=referent), positive=True
    )
    commission = CommissionFactory(plie=plie)
    candidat = ParcoursFactory(plie=plie, participant=participant)
    decision = Decision.objects.create(commission=commission, parcours=candidat, objet="candidature")
    operation = OperationFactory(plie=plie, code="OPE-A")
    inscription = InscriptionFactory(
        operation=operation, participant=participant, parcours=parcours, complete=True
    )
    InscriptionFactory(operation=operation, participant=autre, complete=True)
    action = ActionCollectiveFactory(operation=operation)
    PresenceFactory(action=action, participant=participant)
    importation = ImportParcours.objects.create(
        plie=plie,
        fichier="imports/plie-a.csv",
        nom_original=f"{NOM}.csv",
        erreurs=[{"ligne": 2, "champ": "nom", "message": f"{NOM} {NAISSANCE:%d/%m/%Y}"}],
        nb_erreurs=1,
        created_by=world.admin_a,
    )
    export = ExportDemande.objects.create(
        user=world.gestionnaire_a,
        kind=ExportDemande.Kind.PARTICIPANTS_XLSX,
        params={"plie_ids": [plie.pk]},
        libelle="Participants",
    )
    alerte = Alerte.objects.create(
        plie=plie,
        parcours=parcours,
        type=TypeAlerte.SANS_CONTACT,
        detail=f"{PRENOM} {NOM}",
        computed_on=datetime.date(2026, 3, 2),
    )
    token, _secret = token_create(scope=scope_for(referent), owner=referent, nom="Outil du PLIE A")
    # The employer side: an employer with its contact and exchange, an offer proposed to the
    # participant, a partner action attended, a social clause market with a placement and its
    # hours, the six-month follow-up of the exit, a partnership convention with its signed copy.
    employeur = EmployeurFactory(plie=plie)
    ContactFactory(employeur=employeur)
    EchangeFactory(employeur=employeur, compte_rendu=f"Candidature de {PRENOM} {NOM}")
    offre = OffreFactory(employeur=employeur)
    mise = MiseEnRelationFactory(offre=offre, parcours=parcours, participant=participant)
    action_entreprise = ActionEntreprise.objects.create(
        plie=plie,
        type=TypeActionEntreprise.JOB_DATING,
        intitule="Job dating VRD",
        date=datetime.date(2026, 3, 5),
    )
    action_entreprise.employeurs.add(employeur)
    PresenceAction.objects.create(action=action_entreprise, participant=participant, present=True)
    marche = MarcheFactory(plie=plie, attributaire=employeur)
    placement = PlacementFactory(marche=marche, participant=participant)
    HeuresMoisFactory(placement=placement)
    SuiviSixMois.objects.create(
        parcours=sortie.parcours, situation=SituationSixMois.EMPLOI, date_releve=datetime.date(2026, 3, 2)
    )
    convention = ConventionFactory(
        plie=plie,
        employeur=employeur,
        partenaire="",
        objet=f"Immersions de {PRENOM} {NOM}",
        document=ContentFile(b"%PDF-1.4 convention signee", name="convention-signee.pdf"),
        document_nom="convention-signee.pdf",
    )
    # The finances: a person of the staff assigned to the operation (with the proof), a time
    # sheet, the plan's parameters and an expense and a resource with their proofs.
    personnel = PersonnelFactory(plie=plie, user=referent)
    affectation = AffectationFactory(
        personnel=personnel,
        operation=operation,
        justificatif=ContentFile(b"%PDF-1.4 contrat", name="contrat.pdf"),
        justificatif_nom="contrat.pdf",
    )
    LigneTempsFactory(fiche=FicheTempsFactory(personnel=personnel), operation=operation)
    ParametresFinanciers.objects.create(operation=operation)
    depense = Depense.objects.create(
        operation=operation,
        categorie=CategorieDepense.FONCTIONNEMENT,
        nature=Nature.REALISE,
        libelle="Location de salle",
        date=datetime.date(2026, 3, 2),
        montant=1200,
        piece=ContentFile(b"%PDF-1.4 facture", name="facture.pdf"),
        piece_nom="facture.pdf",
    )
    ressource = Ressource.objects.create(
        operation=operation,
        financeur=Financeur.FSE,
        nature=Nature.REALISE,
        montant=5000,
        piece=ContentFile(b"%PDF-1.4 convention", name="convention.pdf"),
        piece_nom="convention.pdf",
    )
    # The personal data rights: the PLIE's notice settings and an objection to anonymisation.
    ConservationPlie.objects.create(plie=plie, responsable="PLIE A", dpo_contact="dpo@plie-a.fr")
    Opposition.objects.create(
        plie=plie,
        participant=participant,
        jusqu_au=datetime.date(2027, 1, 1),
        motif=f"{PRENOM} {NOM} toujours suivie",
        created_by=referent,
    )
    return {
        "plie": plie,
        "referent": referent,
        "alerte": alerte,
        "token": token,
        "employeur": employeur,
        "offre": offre,
        "mise_en_relation": mise,
        "action_entreprise": action_entreprise,
        "marche": marche,
        "placement": placement,
        "convention": convention,
        "parcours_sorti": sortie.parcours,
        "personnel": personnel,
        "affectation": affectation,
        "depense": depense,
        "ressource": ressource,
        "participant": participant,
        "frein": frein,
        "document": document,
        "parcours": parcours,
        "entretien": entretien,
        "etape": etape,
        "type_etape": type_etape,
        "type_sortie": sortie.type,
        "suspension": suspension,
        "sortie": sortie,
        "commission": commission,
        "decision": decision,
        "operation": operation,
        "inscription": inscription,
        "action": action,
        "import": importation,
        "export": export,
    }


# --- Which object fills which pattern ----------------------------------------------------------

PK = {
    "participants": {
        "frein_lift": "frein",
        "document_download": "document",
        "document_delete": "document",
        "*": "participant",
    },
    "parcours": {
        "entretien_ics": "entretien",
        "etape_update": "etape",
        "etape_cancel": "etape",
        "candidature_create": "participant",
        "decision_record": "decision",
        "commission_agenda_remove": "decision",
        "suspension_end": "suspension",
        "sortie_validate": "sortie",
        "sortie_withdraw": "sortie",
        "type_sortie_update": "type_sortie",
        "type_etape_update": "type_etape",
        "import_detail": "import",
        "import_progress": "import",
        "import_erreurs": "import",
        "partenaire_etape": "etape",
        "partenaire_presence": "etape",
        "partenaire_resultat": "etape",
        "commission_*": "commission",
        "*": "parcours",
    },
    "operations": {
        "inscription_questionnaire": "inscription",
        "inscription_sortie": "inscription",
        "attestation_etape": "etape",
        "action_*": "action",
        "emargement": "action",
        "attestation_action": "action",
        "*": "operation",
    },
    "rapports": {"*": "export"},
    "core": {"jeton_revoquer": "token", "plie_logo": "plie"},
    "entreprises": {
        "offres_pour_parcours": "parcours",
        "offre_create": "employeur",
        "offre_*": "offre",
        "mise_en_relation_create": "offre",
        "mise_en_relation_*": "mise_en_relation",
        "action_detail": "action_entreprise",
        "marche_detail": "marche",
        "placement_create": "marche",
        "heures_create": "placement",
        "suivi_record": "parcours_sorti",
        "convention_*": "convention",
        "*": "employeur",
    },
    "finances": {
        "affectation_justificatif": "affectation",
        "personnel_*": "personnel",
        "affectation_create": "personnel",
        "*": "operation",
    },
    "rgpd": {"*": "participant"},
    # The REST API's router (no namespace): ``<basename>-<action>``.
    "participant-detail": "participant",
    "parcours-detail": "parcours",
    "entretien-detail": "entretien",
    "etape-detail": "etape",
    "suspension-*": "suspension",
    "sortie-*": "sortie",
    "commission-*": "commission",
    "alerte-detail": "alerte",
    "operation-detail": "operation",
    "inscription-detail": "inscription",
    "structure-detail": "plie",
    "referent-detail": "referent",
    "partenaire-orientation-detail": "parcours",
    "partenaire-etape-*": "etape",
    "partenaire-suivi-detail": "parcours",
}
# Parameters that are no object id.
PARAMETRES = {
    "code": lambda o: "plie-a",
    "annee": lambda o: 2026,
    "mois": lambda o: "2026-03",
    "fmt": lambda o: "csv",
    "format": lambda o: "json",
    "participant_pk": lambda o: o["participant"].pk,
    "personnel_pk": lambda o: o["personnel"].pk,
    "operation_pk": lambda o: o["operation"].pk,
    "semaine": lambda o: "2026-03-02",
    "plie_id": lambda o: o["plie"].pk,
}
# Patterns walked once per value of a parameter that chooses what is read (each variant's own
# object for ``pk``).
VARIANTES = {
    "entreprises:preuve_xlsx": [{"kind": kind} for kind in EXTRACTIONS],
    "finances:piece": [{"kind": "depense", "pk": "depense"}, {"kind": "ressource", "pk": "ressource"}],
}
# A few pages choose their PLIE from the query string.
REQUETES = {
    "reporting:participants_liste": "?indicateur=en_parcours&plie=plie-a",
    "reporting:dashboard": "?plie=plie-a",
    "reporting:dashboard_financeur": "?plie=plie-a",
    "rapports:mensuel": "?plie=plie-a&mois=2026-03",
    "operations:completude_globale": "?annee=2026",
}


def _patterns(patterns, prefix="", namespace=None):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            ns = namespace
            if pattern.namespace:
                ns = f"{namespace}:{pattern.namespace}" if namespace else pattern.namespace
            yield from _patterns(pattern.url_patterns, prefix + str(pattern.pattern), ns)
        elif isinstance(pattern, URLPattern):
            nom = f"{namespace}:{pattern.name}" if namespace else (pattern.name or ":None")
            yield nom, pattern, prefix + str(pattern.pattern)


def tous_les_patterns():
    """``[(url name, URLPattern, full route)]`` of the root URLconf, admin included."""
    return list(_patterns(get_resolver().url_patterns))


def _objet_du_pk(nom, objets):
    namespace, _, court = nom.partition(":")
    if not court:  # the API router's names have no namespace: looked up at the top level
        namespace, court = "", nom
        table = {cle: objet for cle, objet in PK.items() if isinstance(objet, str)}
    else:
        table = PK.get(namespace)
    if table is None:
        return None
    for cle, objet in table.items():
        if cle == court or (cle.endswith("*") and court.startswith(cle[:-1])):
            return objets[objet]
    return None


def _admin_kwargs(nom, parametres, objets):
    """An admin pattern: the model from its name (``admin:<app>_<model>_<view>``), the first of
    its rows (PLIE A's when it has any: they were created last)."""
    kwargs = {}
    court = nom.removeprefix("admin:")
    model = None
    for candidate in apps.get_models():
        prefixe = f"{candidate._meta.app_label}_{candidate._meta.model_name}_"
        if court.startswith(prefixe):
            model = candidate
    for parametre in parametres:
        if parametre == "app_label":
            kwargs[parametre] = "participants"
        elif parametre == "content_type_id":
            kwargs[parametre] = ContentType.objects.get_for_model(objets["participant"]).pk
        elif parametre in ("object_id", "id", "pk"):
            row = model._default_manager.order_by("-pk").first() if model else None
            kwargs[parametre] = str(row.pk if row else objets["participant"].pk)
        else:
            return None
    return kwargs


def _route_sans_nom(route, objets):
    """``admin/<app>/<model>/<path:object_id>/`` (a redirect to the change page) and the admin's
    catch-all: the URL with PLIE A's object (or a path that exists nowhere)."""
    if route.endswith("<path:object_id>/"):
        app_label, model_name = route.split("/")[1:3]
        model = apps.get_model(app_label, model_name)
        row = model._default_manager.order_by("-pk").first()
        return "/" + route.replace("<path:object_id>", str(row.pk if row else objets["participant"].pk))
    if route.endswith("(?P<url>.*)$"):
        return "/" + route.split("(?P<url>")[0].lstrip("^") + "inexistant/"
    if route == "api/v1/^":  # the API's JSON 404 for any other address under /api/v1/
        return "/api/v1/inexistant/"
    return None


def _args_positionnels(nom, pattern, objets):
    """``admin:<app>_<model>_simple_history``: ``<object id>/history/<history id>/``."""
    if not (nom.startswith("admin:") and nom.endswith("_simple_history")):
        return None
    court = nom.removeprefix("admin:").removesuffix("_simple_history")
    app_label, _, model_name = court.partition("_")
    model = apps.get_model(app_label, model_name)
    row = model._default_manager.order_by("-pk").first()
    historique = model.history.order_by("-history_id").first() if row else None
    if historique is None:
        return [str(objets["participant"].pk), "1"]
    return [str(historique.pk), str(historique.history_id)]


def kwargs_of(nom, pattern, objets):
    """The path parameters of ``pattern`` filled with PLIE A's objects, or ``None`` when this
    test does not know how (then the walk fails: a pattern is never skipped silently)."""
    parametres = list(pattern.pattern.regex.groupindex)
    if nom.startswith("admin:"):
        return _admin_kwargs(nom, parametres, objets)
    kwargs = {}
    for parametre in parametres:
        if parametre == "pk":
            objet = _objet_du_pk(nom, objets)
            if objet is None:
                return None
            kwargs["pk"] = objet.pk
        elif parametre in PARAMETRES:
            kwargs[parametre] = PARAMETRES[parametre](objets)
        else:
            return None
    return kwargs


def urls_a_parcourir(objets):
    """``[(name, url)]`` for every pattern, and the patterns this test cannot fill."""
    urls, inconnus = [], []
    for nom, pattern, route in tous_les_patterns():
        if nom.endswith(":None"):  # the admin's unnamed patterns: built from their route
            url = _route_sans_nom(route, objets)
            if url is None:
                inconnus.append(f"{nom}: {route}")
            else:
                urls.append((f"{nom} {route}", url))
            continue
        if pattern.pattern.regex.groups > len(pattern.pattern.regex.groupindex):
            args = _args_positionnels(nom, pattern, objets)  # simple_history's admin views
            if args is None:
                inconnus.append(f"{nom}: {route}")
            else:
                urls.append((nom, reverse(nom, args=args)))
            continue
        if nom in VARIANTES:
            for variante in VARIANTES[nom]:
                kwargs = {k: objets[v].pk if k == "pk" else v for k, v in variante.items()}
                urls.append((nom, reverse(nom, kwargs=kwargs)))
            continue
        kwargs = kwargs_of(nom, pattern, objets)
        if kwargs is None:
            inconnus.append(f"{nom}: {pattern.pattern}")
            continue
        urls.append((nom, reverse(nom, kwargs=kwargs) + REQUETES.get(nom, "")))
    return urls, inconnus


# --- Reading bodies and fingerprinting the data --------------------------------------------------


def corps(response):
    """The body as text, whatever its type: XLSX (and any zip) unpacked, PDF text extracted."""
    raw = b"".join(response.streaming_content) if response.streaming else response.content
    if raw[:4] == b"PK\x03\x04":
        with zipfile.ZipFile(io.BytesIO(raw)) as archive:
            return "\n".join(archive.read(n).decode("utf-8", "replace") for n in archive.namelist())
    if raw[:5] == b"%PDF-":
        from pypdf import PdfReader
        from pypdf.errors import PdfReadError

        try:
            return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(raw)).pages)
        except PdfReadError:  # an uploaded document that is barely a PDF: read as bytes
            return raw.decode("latin-1")
    return raw.decode("utf-8", "replace")


def _models_suivis():
    models = [m for m in apps.get_models() if m._meta.app_label in DOMAINE]
    models += [apps.get_model("core", m) for m in ("Structure", "Membership", "ApiToken")]
    # the access journal, sessions and login times change on reads by design: left out
    return [m for m in models if "journal" not in m._meta.model_name and "acces" not in m._meta.model_name]


def empreinte():
    """``{(model label, pk): sha1 of the row}`` for the domain apps, the structures and the
    memberships."""
    resultat = {}
    for model in _models_suivis():
        for row in model._default_manager.order_by("pk").values():
            resultat[(model._meta.label, row[model._meta.pk.attname])] = hashlib.sha1(
                repr(sorted(row.items())).encode()
            ).hexdigest()
    return resultat


def ecritures_sur_plie_a(avant, plie_a_id):
    """What changed PLIE A since ``avant``: a row of it changed or deleted, or a new row pointing
    at one of its rows (every domain row that existed before the walk is PLIE A's: the fixture
    creates no other) or at the PLIE A structure. Rows created in the account's own PLIE pass."""
    apres = empreinte()
    problemes = [
        f"{label} n° {pk} modifié ou supprimé"
        for (label, pk), h in avant.items()
        if apres.get((label, pk)) != h
    ]
    a_plie_a = {key for key in avant if key[0].split(".")[0] in DOMAINE} | {("core.Structure", plie_a_id)}
    for model in _models_suivis():
        label = model._meta.label
        nouveaux = [pk for (lbl, pk) in apres if lbl == label and (lbl, pk) not in avant]
        if not nouveaux:
            continue
        liens = [f for f in model._meta.concrete_fields if f.is_relation and f.related_model is not None]
        for row in model._default_manager.filter(pk__in=nouveaux).values():
            for field in liens:
                cible = (field.related_model._meta.label, row[field.attname])
                if cible in a_plie_a:
                    problemes.append(
                        f"{label} n° {row[model._meta.pk.attname]} créé sur {cible[0]} n° {cible[1]}"
                    )
    return problemes, apres


def parcourir(client, urls, methodes=("get", "post"), user=None):
    """Walk ``urls``; returns (leaks, server errors) as readable lines. ``parcourir.reponses_200``
    counts the pages actually served (the walk must read pages, not only redirects). With
    ``user``, the session is logged in again whenever a request ended it (the POST to
    ``logout``): the rest of the walk must not run as anonymous."""
    fuites, erreurs = [], []
    session = None
    for nom, url in urls:
        for methode in methodes:
            cookie = client.cookies.get(django_settings.SESSION_COOKIE_NAME)
            if user is not None and (cookie is None or cookie.value != session):
                if client.session.get("_auth_user_id") != str(user.pk):
                    client.force_login(user)
                session = client.cookies[django_settings.SESSION_COOKIE_NAME].value
            response = getattr(client, methode)(url)
            if response.status_code >= 500:
                erreurs.append(f"{methode.upper()} {url} ({nom}): {response.status_code}")
                continue
            parcourir.reponses_200 += response.status_code == 200
            texte = corps(response)
            entetes = " ".join(f"{k}: {v}" for k, v in response.items())
            trouve = AIGUILLES.search(texte) or AIGUILLES.search(entetes)
            if trouve:
                fuites.append(f"{methode.upper()} {url} ({nom}): « {trouve.group(0)} »")
    return fuites, erreurs


parcourir.reponses_200 = 0


# --- The accounts --------------------------------------------------------------------------------


def comptes_etrangers(world):
    """Every account that must not read PLIE A's people (``None``: anonymous)."""

    def person(role, structure):
        user = UserFactory()
        MembershipFactory(user=user, structure=structure, role=role)
        return user

    plie_c = world.plie_c
    comptes = {f"{role}_b": person(role, world.plie_b) for role in Role.values if role != Role.REFERENT}
    comptes["referent_b"] = world.referent_b
    comptes["direction_autre_oi"] = person(Role.DIRECTION, plie_c.oi)
    comptes["animation_plie_c"] = person(
        Role.ANIMATION, PlieFactory(nom="PLIE D", code="plie-d", oi=plie_c.oi)
    )
    comptes["direction_oi_de_a"] = world.oi_user  # PLIE A's own OI: aggregates only (plie.core.scoping)
    comptes["financeur"] = world.financeur
    comptes["referent_operateur"] = world.referent_operateur
    comptes["sans_role"] = world.no_role
    comptes["anonyme"] = None
    return comptes


# --- The walk ------------------------------------------------------------------------------------


@pytest.fixture
def walk(world, plie_a, settings):
    settings.DEBUG_PROPAGATE_EXCEPTIONS = False
    urls, inconnus = urls_a_parcourir(plie_a)
    return urls, inconnus


def test_every_pattern_is_walked(walk):
    urls, inconnus = walk
    assert inconnus == [], "patterns sans paramètres connus (ajoutez-les à PK / PARAMETRES) :\n" + "\n".join(
        inconnus
    )
    noms = {nom for nom, _url in urls}
    assert len(noms) > 200  # the application's and the admin's
    assert {"participants:participant_detail", "operations:export_mdfse", "api_bilan_annuel"} <= noms


def test_no_foreign_account_reads_or_changes_plie_a(world, walk):
    urls, _inconnus = walk
    comptes = comptes_etrangers(world)
    parcourir.reponses_200 = 0
    avant = empreinte()
    problemes = []
    for libelle, user in comptes.items():
        client = Client(raise_request_exception=False)
        if user is not None:
            client.force_login(user)
        fuites, erreurs = parcourir(client, urls, user=user)
        problemes += [f"{libelle} — fuite — {ligne}" for ligne in fuites]
        problemes += [f"{libelle} — erreur serveur — {ligne}" for ligne in erreurs]
        ecritures, avant = ecritures_sur_plie_a(avant, world.plie_a.pk)
        problemes += [f"{libelle} — écriture — {ligne}" for ligne in ecritures]
    assert problemes == [], "\n".join(problemes)
    assert (
        parcourir.reponses_200 > 100
    )  # pages served and read (their own PLIE's, figures), not only refusals
    assert Inscription.objects.filter(participant__nom=NOM).exists()  # PLIE A's data still there


def test_positive_control_plie_a_own_referent_counted_as_foreign_finds_leaks(world, plie_a, walk):
    """The same detectors, as PLIE A's référent (who may read and write them): they must find
    the names, and a deletion."""
    urls, _inconnus = walk
    client = Client(raise_request_exception=False)
    client.force_login(world.referent_a)
    avant = empreinte()
    client.post(reverse("participants:document_delete", args=[plie_a["document"].pk]))
    ecritures, _apres = ecritures_sur_plie_a(avant, world.plie_a.pk)
    assert any("Document" in ligne for ligne in ecritures)
    fuites, erreurs = parcourir(client, urls, methodes=("get",), user=world.referent_a)
    assert erreurs == []
    pages = {ligne.split(" (")[1].split(")")[0] for ligne in fuites}
    assert {"participants:participant_detail", "participants:fiche_pdf", "parcours:parcours_detail"} <= pages
    assert len(fuites) >= 10
