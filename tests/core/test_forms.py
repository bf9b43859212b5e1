"""StyledFormMixin: Bootstrap classes by widget type and ARIA error attributes, added when the
widgets are rendered, so that a bound form is never validated before its subclass is ready."""

import re

import pytest
from django import forms

from plie.core.forms import LoginForm, StyledFormMixin, StyledPasswordChangeForm
from tests.factories import DEFAULT_PASSWORD


class ExampleForm(StyledFormMixin, forms.Form):
    nom = forms.CharField(label="Nom")
    code_postal = forms.CharField(label="Code postal", help_text="Cinq chiffres.", required=False)
    commentaire = forms.CharField(label="Commentaire", widget=forms.Textarea, required=False)
    fichier = forms.FileField(label="Fichier", required=False)
    date = forms.DateField(label="Date", widget=forms.DateInput, required=False)
    type = forms.ChoiceField(label="Type", choices=[("a", "A"), ("b", "B")], required=False)
    motifs = forms.MultipleChoiceField(label="Motifs", choices=[("a", "A")], required=False)
    sexe = forms.ChoiceField(
        label="Sexe", choices=[("F", "Femme"), ("M", "Homme")], widget=forms.RadioSelect, required=False
    )
    freins = forms.MultipleChoiceField(
        label="Freins", choices=[("a", "A")], widget=forms.CheckboxSelectMultiple, required=False
    )
    accord = forms.BooleanField(label="J'accepte", required=False)
    jeton = forms.CharField(widget=forms.HiddenInput, required=False)
    compact = forms.CharField(
        label="Compact", widget=forms.TextInput(attrs={"class": "form-control-sm"}), required=False
    )


def attribute(html, name):
    """The value of ``name`` in the first tag of ``html``, or None."""
    match = re.search(rf'\s{name}="([^"]*)"', html)
    return match and match.group(1)


def classes(html):
    return (attribute(html, "class") or "").split()


@pytest.mark.parametrize(
    "field, css",
    [
        ("nom", "form-control"),
        ("commentaire", "form-control"),
        ("fichier", "form-control"),
        ("date", "form-control"),
        ("type", "form-select"),
        ("motifs", "form-select"),
        ("accord", "form-check-input"),
    ],
)
def test_each_widget_gets_its_bootstrap_class(field, css):
    assert classes(str(ExampleForm()[field])) == [css]


@pytest.mark.parametrize("field", ["sexe", "freins"])
def test_each_radio_button_and_check_box_of_a_group_is_a_form_check_input(field):
    buttons = ExampleForm()[field]
    assert len(buttons) >= 1
    for button in buttons:
        assert classes(button.tag()) == ["form-check-input"]


def test_a_class_set_on_the_widget_is_kept_before_the_bootstrap_one():
    assert classes(str(ExampleForm()["compact"])) == ["form-control-sm", "form-control"]


def test_a_hidden_input_gets_no_class():
    assert attribute(str(ExampleForm()["jeton"]), "class") is None


def test_rendering_leaves_the_widgets_attrs_alone():
    form = ExampleForm(data={})
    before = dict(form.fields["nom"].widget.attrs)
    assert "is-invalid" in str(form["nom"])
    assert form.fields["nom"].widget.attrs == before


def test_an_unbound_form_has_no_error_attributes():
    html = str(ExampleForm()["nom"])
    assert "is-invalid" not in classes(html)
    assert attribute(html, "aria-invalid") is None
    assert attribute(html, "aria-describedby") is None


def test_a_field_in_error_gets_is_invalid_aria_invalid_and_its_message():
    form = ExampleForm(data={"nom": "", "code_postal": "69008"})
    assert not form.is_valid()
    html = str(form["nom"])
    assert classes(html) == ["form-control", "is-invalid"]
    assert attribute(html, "aria-invalid") == "true"
    assert attribute(html, "aria-describedby") == "id_nom_erreur"


def test_a_valid_field_of_a_form_in_error_keeps_only_its_help_text():
    form = ExampleForm(data={"nom": "", "code_postal": "69008"})
    assert not form.is_valid()
    html = str(form["code_postal"])
    assert "is-invalid" not in classes(html)
    assert attribute(html, "aria-invalid") is None
    assert attribute(html, "aria-describedby") == "id_code_postal_helptext"


def test_the_message_comes_before_the_help_text():
    form = ExampleForm(data={"nom": "Dupont"})
    form.add_error("code_postal", "Code postal inconnu.")
    assert (
        attribute(str(form["code_postal"]), "aria-describedby")
        == "id_code_postal_erreur id_code_postal_helptext"
    )


def test_an_error_added_after_validation_is_shown():
    """A service refuses the data after ``is_valid()``: the field is still marked."""
    form = ExampleForm(data={"nom": "Dupont"})
    assert form.is_valid()
    form.add_error("nom", "Ce nom est déjà pris.")
    html = str(form["nom"])
    assert "is-invalid" in classes(html)
    assert attribute(html, "aria-invalid") == "true"


def test_each_radio_button_of_a_group_in_error_points_at_the_message():
    form = ExampleForm(data={"nom": "Dupont", "sexe": "X"})
    assert not form.is_valid()
    for button in form["sexe"]:
        tag = button.tag()
        assert classes(tag) == ["form-check-input", "is-invalid"]
        assert attribute(tag, "aria-invalid") == "true"
        assert attribute(tag, "aria-describedby") == "id_sexe_erreur"


class LateChoicesForm(StyledFormMixin, forms.Form):
    """Its choices depend on the request: set after ``super().__init__()``."""

    plie = forms.ChoiceField(label="PLIE")

    def __init__(self, *args, plies, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["plie"].choices = [("", "Choisir…"), *plies]


def test_a_subclass_may_set_its_choices_after_init_on_a_bound_form():
    form = LateChoicesForm(data={"plie": "a"}, plies=[("a", "PLIE A"), ("b", "PLIE B")])
    assert form.is_valid(), form.errors
    assert form.cleaned_data["plie"] == "a"
    html = str(form["plie"])
    assert classes(html) == ["form-select"]
    assert attribute(html, "aria-invalid") is None


def test_a_subclass_with_late_choices_still_refuses_a_choice_outside_them():
    form = LateChoicesForm(data={"plie": "c"}, plies=[("a", "PLIE A")])
    assert not form.is_valid()
    assert "is-invalid" in classes(str(form["plie"]))


def test_building_a_bound_form_does_not_validate_it():
    form = ExampleForm(data={"nom": ""})
    assert form._errors is None


@pytest.mark.django_db
def test_login_form_marks_both_fields_after_wrong_credentials(rf):
    form = LoginForm(rf.post("/connexion/"), data={"username": "personne@exemple.fr", "password": "x"})
    assert not form.is_valid()
    email = str(form["username"])
    assert classes(email) == ["form-control"]
    assert attribute(email, "type") == "email"
    assert attribute(email, "autocomplete") == "email"
    # the wrong-credentials message is a form error, not a field one: no field is blamed
    assert attribute(email, "aria-invalid") is None
    form = LoginForm(rf.post("/connexion/"), data={"username": "", "password": ""})
    assert not form.is_valid()
    email = str(form["username"])
    assert "is-invalid" in classes(email)
    assert attribute(email, "aria-describedby") == "id_username_erreur"


@pytest.mark.django_db
def test_password_change_form_marks_the_wrong_old_password(world):
    data = {"old_password": "pas-le-bon", "new_password1": "Chevalet-2031", "new_password2": "Chevalet-2031"}
    form = StyledPasswordChangeForm(world.referent_a, data=data)
    assert not form.is_valid()
    old = str(form["old_password"])
    assert classes(old) == ["form-control", "is-invalid"]
    assert attribute(old, "aria-invalid") == "true"
    assert attribute(old, "aria-describedby") == "id_old_password_erreur"
    new = str(form["new_password1"])
    assert "is-invalid" not in classes(new)
    assert attribute(new, "aria-describedby") == "id_new_password1_helptext"
    form = StyledPasswordChangeForm(world.referent_a, data={**data, "old_password": DEFAULT_PASSWORD})
    assert form.is_valid(), form.errors
