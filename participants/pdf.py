"""The printable fiche of a participant (one A4 page), rendered by WeasyPrint.

The fiche shows what the user may see on screen and nothing more: the disability answer (Q3),
the TH / BOETH category and health or justice freins only for those who may see sensitive data
(see ``plie.core.scoping``). WeasyPrint never reaches the network: its URL fetcher serves files
from ``static/`` (and ``data:`` URLs) and refuses everything else."""

from pathlib import Path
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone
from weasyprint import HTML
from weasyprint.urls import URLFetcher

from participants.categories import categories_of
from participants.fse import reponses_manquantes
from participants.models import Document, Frein

STATIC_DIR = Path(settings.BASE_DIR) / "static"
TH_LABEL = "TH / BOETH"
SENSITIVE_HIDDEN = "Renseigné (donnée sensible, non affichée)"


class StaticOnlyFetcher(URLFetcher):
    """Serves ``file:`` URLs inside ``static/`` and ``data:`` URLs; refuses any other URL
    (http, https, ftp, files elsewhere on disk), so a fiche can never fetch from the network."""

    def __init__(self, root=STATIC_DIR):
        super().__init__(allowed_protocols={"file", "data"}, allow_redirects=False)
        self.root = Path(root).resolve()

    def fetch(self, url, headers=None):
        parts = urlsplit(url)
        if parts.scheme == "file":
            path = Path(unquote(parts.path)).resolve()
            if not (path.is_relative_to(self.root) and path.is_file()):
                raise ValueError(f"Fichier hors de static/ refusé : {url}")
        elif parts.scheme != "data":
            raise ValueError(f"Ressource externe refusée : {url}")
        return super().fetch(url, headers)


def _oui_non(value):
    return None if value is None else ("Oui" if value else "Non")


def fse_answers(situation, *, sensitive):
    """The entry questionnaire as rows ``(code, question, answer)``; ``answer`` is ``None`` when
    not answered. Q3 (disability) is replaced by a neutral mention unless ``sensitive``."""
    if situation is None:
        return []
    s = situation
    handicap = _oui_non(s.handicap_reconnu)
    if handicap is not None and not sensitive:
        handicap = SENSITIVE_HIDDEN
    rows = [("Q1", "Occupe un emploi ?", s.get_statut_emploi_display() or None)]
    if s.statut_emploi == "non":
        duree = s.duree_recherche_mois
        rows += [
            ("1e", "En formation, en stage ou en école ?", _oui_non(s.en_formation)),
            ("1f", "Recherche activement un emploi ?", _oui_non(s.recherche_emploi)),
        ]
        if s.recherche_emploi:
            rows.append(("1g", "Depuis combien de mois ?", None if duree is None else f"{duree}\xa0mois"))
    rows += [
        ("Q2", "Niveau de formation", s.get_niveau_formation_display() or None),
        ("Q3", "Handicap officiellement reconnu (RQTH, BOETH…)", handicap),
        ("Q4", "Allocataire de minima sociaux (RSA, ASS, AAH…)", _oui_non(s.minima_sociaux)),
        ("", "dont bénéficiaire du RSA", _oui_non(s.beneficiaire_rsa)),
        ("Q5", "Sans domicile fixe ou exclusion du logement", s.get_sans_domicile_display() or None),
        ("Q6", "Un parent né à l'étranger", s.get_parent_ne_etranger_display() or None),
        ("", "Ménage\xa0: aucun membre en emploi", _oui_non(s.menage_sans_emploi)),
        ("", "Ménage\xa0: enfants à charge", _oui_non(s.menage_enfants)),
        ("", "Ménage\xa0: un seul adulte avec enfants à charge", _oui_non(s.menage_monoparental)),
    ]
    return rows


def fiche_context(participant, scope):
    """What the fiche shows to ``scope`` (2 queries when ``situations`` is prefetched: the
    visible freins, the visible documents)."""
    sensitive = scope.sees_sensitive_data(participant.plie_id)
    situation = participant.situation_entree
    categories = categories_of(participant, situation)
    labels = [label for label in categories.labels() if sensitive or label != TH_LABEL]
    freins = list(Frein.objects.visible_to(scope).filter(participant=participant))
    documents = (
        Document.objects.visible_to(scope)
        .filter(participant=participant)
        .only("type", "nom_original", "uploaded_at")
    )
    return {
        "participant": participant,
        "plie": participant.plie,
        "situation": situation,
        "age_entree": categories.age_entree,
        "categories": labels,
        "reponses": fse_answers(situation, sensitive=sensitive),
        "manques": [manque.message for manque in reponses_manquantes(participant, situation)],
        "freins_actifs": [frein for frein in freins if not frein.leve],
        "freins_leves": [frein for frein in freins if frein.leve],
        "documents": list(documents),
        "sensitive": sensitive,
        "edited_at": timezone.localtime(),
        "edited_by": scope.user.get_full_name() or scope.user.email,
    }


def render_fiche(participant, scope):
    """The fiche of ``participant`` as seen by ``scope``, as PDF bytes."""
    html = render_to_string("participants/fiche.html", fiche_context(participant, scope))
    return HTML(string=html, base_url=STATIC_DIR.as_uri() + "/", url_fetcher=StaticOnlyFetcher()).write_pdf()
