"""``{{ value|montant }}`` → « 1 234,56 € » (``finances.couts.montant_fr``); ``{{ value|heures }}``
→ « 7,50 »; ``{{ value|taux }}`` → « 60,00 % » or « — »."""

from django import template

from finances.couts import montant_fr
from finances.temps import heures_fr

register = template.Library()


@register.filter
def montant(value):
    return "—" if value is None else montant_fr(value)


@register.filter
def heures(value):
    return "—" if value is None else heures_fr(value)


@register.filter
def taux(value):
    return "—" if value is None else f"{heures_fr(value)}\u00a0%"
