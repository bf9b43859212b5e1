import pytest
from django.core.exceptions import ValidationError

from participants.normalize import fold
from participants.validators import normalize_phone, validate_code_commune_naissance, validate_code_postal


@pytest.mark.parametrize(
    ("raw", "normalized"),
    [
        ("0612345678", "06 12 34 56 78"),
        ("06.12.34.56.78", "06 12 34 56 78"),
        ("06 12 34 56 78", "06 12 34 56 78"),
        ("+33 6 12 34 56 78", "06 12 34 56 78"),
        ("+33 (0)6 12 34 56 78", "06 12 34 56 78"),
        ("0033612345678", "06 12 34 56 78"),
        ("04-78-00-00-00", "04 78 00 00 00"),
        ("+32 470 12 34 56", "+32470123456"),
        ("", ""),
    ],
)
def test_phone_numbers_are_normalised(raw, normalized):
    assert normalize_phone(raw) == normalized


@pytest.mark.parametrize(
    "raw", ["061234567", "06123456789", "1612345678", "0012", "abc", "+1 23", "0612 345"]
)
def test_bad_phone_numbers(raw):
    with pytest.raises(ValidationError) as error:
        normalize_phone(raw)
    assert "téléphone" in error.value.messages[0].lower()


@pytest.mark.parametrize(
    ("value", "ok"), [("69008", True), ("6900", False), ("69 008", False), ("A9008", False), ("", True)]
)
def test_code_postal(value, ok):
    if ok:
        validate_code_postal(value)
    else:
        with pytest.raises(ValidationError, match="5 chiffres"):
            validate_code_postal(value)


@pytest.mark.parametrize(
    ("value", "ok"), [("69123", True), ("99999", True), ("2A004", True), ("2C004", False), ("691", False)]
)
def test_code_commune_naissance(value, ok):
    if ok:
        validate_code_commune_naissance(value)
    else:
        with pytest.raises(ValidationError, match="99999"):
            validate_code_commune_naissance(value)


def test_fold():
    assert fold("  Hélène-Marie d'ARCY ") == "helene marie d arcy"
    assert fold("Œuvray") == "oeuvray"
    assert fold(None) == ""
