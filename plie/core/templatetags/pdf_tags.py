"""Template filters for the PDF documents (WeasyPrint)."""

from django import template
from django.utils.safestring import mark_safe

register = template.Library()


@register.filter
def css_string(value):
    """``value`` escaped for a double-quoted CSS string (``content: "…"`` in ``@page`` boxes).

    HTML escaping is wrong there: CSS does not decode ``&#x27;``, the page would print it. CSS
    escapes are ``\\<hex> ``; ``<`` is escaped too so the text can never close the <style> element."""
    text = "" if value is None else str(value)
    out = []
    for char in text:
        if char in '"\\<>' or ord(char) < 0x20:
            out.append(f"\\{ord(char):x} ")
        else:
            out.append(char)
    return mark_safe("".join(out))


@register.inclusion_tag("components/pdf_marque.html")
def pdf_marque(plie):
    """The PLIE's logo (embedded as a ``data:`` URI, :mod:`plie.core.identite`) and its name, for
    a PDF's running header; ``plie`` is a Structure, or a plain name (several PLIE, or no object)."""
    from plie.core.identite import logo_data_uri

    nom = getattr(plie, "nom", plie)
    return {"nom": nom, "logo": logo_data_uri(getattr(plie, "logo", ""))}
