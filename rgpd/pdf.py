"""The PDFs of the rgpd app (WeasyPrint, no network: ``participants.pdf.StaticOnlyFetcher``):
a person's access-request export and the PLIE's information notice."""

from django.template.loader import render_to_string
from django.utils import timezone
from weasyprint import HTML

from participants.pdf import STATIC_DIR, StaticOnlyFetcher


def _pdf(template, context):
    html = render_to_string(template, context)
    return HTML(string=html, base_url=STATIC_DIR.as_uri() + "/", url_fetcher=StaticOnlyFetcher()).write_pdf()


def render_acces(dossier):
    """The access-request export (:func:`rgpd.acces.dossier_complet`) as PDF bytes."""
    return _pdf("rgpd/pdf/acces.html", {"d": dossier, "genere_le": timezone.localtime()})


def render_mention(plie, settings):
    """The information notice of ``plie`` with its retention ``settings`` as PDF bytes."""
    return _pdf("rgpd/pdf/mention.html", {"plie": plie, "s": settings, "genere_le": timezone.localdate()})
