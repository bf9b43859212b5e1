"""Field validation for the dossier, with French messages naming the problem."""

import re

from django.core.exceptions import ValidationError

from participants.normalize import digits

CODE_POSTAL = re.compile(r"^\d{5}$")
CODE_COMMUNE = re.compile(r"^(\d{5}|2[AB]\d{3})$")
COMMUNE_ETRANGER = "99999"


def validate_code_postal(value):
    if value and not CODE_POSTAL.match(value):
        raise ValidationError("Le code postal doit comporter 5 chiffres.", code="code_postal")


def validate_code_commune_naissance(value):
    """INSEE code of the commune of birth (Corsica 2A/2B included), or 99999 for abroad."""
    if value and not CODE_COMMUNE.match(value):
        raise ValidationError(
            "Le code de la commune de naissance doit comporter 5 caractères (99999 si né à l'étranger).",
            code="commune_naissance",
        )


def normalize_phone(value):
    """A French phone number in national format ``0X XX XX XX XX``, or an international number
    in E.164 (``+33…``, ``+32…``). French numbers written ``+33 6…`` or ``0033 6…`` are brought
    back to the national format. Raises ``ValidationError`` otherwise."""
    if not value or not value.strip():
        return ""
    raw = value.strip()
    number = digits(raw)
    international = raw.startswith("+") or number.startswith("00")
    if international:
        number = number[2:] if number.startswith("00") else number
        if number.startswith("33"):
            national = number[2:]
            if national.startswith("0"):
                national = national[1:]
            number = "0" + national
            international = False
        elif not 8 <= len(number) <= 15:
            raise ValidationError(
                "Numéro de téléphone international invalide (format +XX… attendu, 8 à 15 chiffres).",
                code="telephone",
            )
        else:
            return "+" + number
    if len(number) != 10 or not number.startswith("0") or number[1] == "0":
        raise ValidationError(
            "Numéro de téléphone invalide : 10 chiffres commençant par 0 attendus (ex. 06 12 34 56 78).",
            code="telephone",
        )
    return " ".join(number[i : i + 2] for i in range(0, 10, 2))
