from django.template import Context, Template

from plie.core.templatetags.pdf_tags import css_string


def test_css_string_keeps_apostrophes_and_accents_and_escapes_quotes():
    assert css_string("Fiche d'Hélène") == "Fiche d'Hélène"
    assert css_string('Le "PLIE" \\ </style>') == "Le \\22 PLIE\\22  \\5c  \\3c /style\\3e "
    assert css_string(None) == ""


def test_page_frame_prints_the_footer_without_html_entities():
    rendered = Template('{% include "components/pdf_page.html" %}').render(
        Context({"pied": "PLIE d'Agglo — fiche confidentielle", "marge_basse": "20mm"})
    )
    assert 'content: "PLIE d\'Agglo — fiche confidentielle";' in rendered
    assert "&#x27;" not in rendered
