"""``plie.core.enums.label_of``: a stored value's French label, whatever the value."""

import pytest

from plie.core.enums import Role, label_of


@pytest.mark.parametrize(
    ("value", "default", "expected"),
    [
        (Role.REFERENT, None, "Référent de parcours"),
        ("referent", None, "Référent de parcours"),
        ("ancien_role", None, "ancien_role"),  # a value gone from the choices reads as stored
        ("", None, ""),
        ("", "Non renseigné", "Non renseigné"),
        (None, "Non renseigné", "Non renseigné"),
        ("direction", "Non renseigné", "Direction"),
    ],
)
def test_label_of(value, default, expected):
    assert label_of(Role, value, default) == expected
