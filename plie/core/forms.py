"""The form toolkit every app uses: Bootstrap styling and ARIA error attributes, dates typed
jj/mm/aaaa, yes/no and coded FSE answers as radio buttons, « Non renseigné » instead of Django's
« --------- », and a service's ``ValidationError`` shown on the fields it names."""

from django import forms
from django.contrib.auth.forms import AuthenticationForm, PasswordChangeForm
from django.forms.boundfield import BoundField
from django.utils.text import capfirst

NON_RENSEIGNE = "Non renseigné"
# Yes / no / not answered for a BooleanField(null=True): "" leaves the question unanswered.
OUI_NON = [("True", "Oui"), ("False", "Non"), ("", NON_RENSEIGNE)]
DATE_HELP = "Format jj/mm/aaaa."


def css_class_for(widget):
    """Bootstrap's class for a widget: check boxes and radio buttons, selects, other inputs."""
    if isinstance(widget, forms.CheckboxInput | forms.RadioSelect):
        return "form-check-input"
    if isinstance(widget, forms.Select):
        return "form-select"
    return "form-control"


class StyledBoundField(BoundField):
    """Adds the Bootstrap class and, once the form has been validated with errors on this
    field, ``is-invalid``, ``aria-invalid`` and ``aria-describedby`` pointing at the message
    that ``components/field.html`` renders as ``<id>_erreur``.

    Everything happens when the widget is rendered, never in the form's ``__init__``: reading
    the errors there would validate a bound form before a subclass sets its choices or
    querysets, and errors added later (``add_error`` after a service refused the data) would
    not be shown."""

    def build_widget_attrs(self, attrs, widget=None):
        widget = widget or self.field.widget
        attrs = super().build_widget_attrs(attrs, widget)
        if widget.is_hidden:
            return attrs
        classes = [*widget.attrs.get("class", "").split(), *attrs.get("class", "").split()]
        classes.append(css_class_for(widget))
        if self.errors:
            classes.append("is-invalid")
            attrs["aria-invalid"] = "true"
            if self.use_fieldset and not widget.attrs.get("aria-describedby"):
                # Django describes a group of radio buttons on its <fieldset>, which our
                # templates draw themselves: each button points at the message instead.
                attrs.setdefault("aria-describedby", f"{self.auto_id}_erreur")
        attrs["class"] = " ".join(dict.fromkeys(classes))
        return attrs

    @property
    def aria_describedby(self):
        """The error message first, then the help text (Django names the former ``_error``)."""
        if self.field.widget.attrs.get("aria-describedby") or not self.auto_id or self.is_hidden:
            return None
        ids = []
        if self.errors:
            ids.append(f"{self.auto_id}_erreur")
        if self.help_text:
            ids.append(f"{self.auto_id}_helptext")
        return " ".join(ids)


class StyledFormMixin:
    """Bootstrap classes and ARIA error attributes on every widget, so templates stay plain.

    The styling is done by :class:`StyledBoundField` at render time, so a subclass may set its
    choices and querysets after ``super().__init__()``, bound or not."""

    bound_field_class = StyledBoundField


# --- Fields ------------------------------------------------------------------------------------


def date_widget(**attrs):
    """A text input showing and taking a date as jj/mm/aaaa (numeric keyboard on phones)."""
    return forms.DateInput(
        format="%d/%m/%Y", attrs={"placeholder": "jj/mm/aaaa", "inputmode": "numeric", **attrs}
    )


def date_field(label, *, required=True, initial=None, help_text=DATE_HELP):
    """A ``DateField`` typed jj/mm/aaaa (:func:`date_widget`), with the format as help text."""
    return forms.DateField(
        label=label, required=required, widget=date_widget(), help_text=help_text, initial=initial
    )


def _label(model, name):
    return capfirst(model._meta.get_field(name).verbose_name)


def oui_non_field(model, name):
    """A nullable yes/no question as three radio buttons: Oui, Non, Non renseigné."""
    return forms.TypedChoiceField(
        label=_label(model, name),
        choices=OUI_NON,
        coerce=lambda value: value == "True",
        empty_value=None,
        required=False,
        widget=forms.RadioSelect,
        help_text=model._meta.get_field(name).help_text,
    )


def radio_field(model, name, *, required=False):
    """A question with coded answers (FSE codes) as radio buttons, « Non renseigné » last."""
    choices = list(model._meta.get_field(name).choices)
    if not required:
        choices.append(("", NON_RENSEIGNE))
    return forms.ChoiceField(
        label=_label(model, name), choices=choices, required=required, widget=forms.RadioSelect
    )


# --- Forms --------------------------------------------------------------------------------------


class DossierFormMixin(StyledFormMixin):
    """The business forms of every app: :class:`StyledFormMixin` (Bootstrap classes, radio
    buttons included, and ARIA error attributes at render time), « Non renseigné » instead of
    Django's « --------- », a :meth:`prepare_fields` hook and service errors shown per field
    (:meth:`add_service_errors`)."""

    # A service's field name → the form's field showing its errors, where they differ.
    service_error_fields = {}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.prepare_fields()
        for field in self.fields.values():
            if (
                isinstance(field, forms.ChoiceField)
                and field.choices
                and field.choices[0] == ("", "---------")
            ):
                field.choices = [("", NON_RENSEIGNE), *field.choices[1:]]

    def prepare_fields(self):
        """Set per-request choices and querysets here (called at the end of ``__init__``)."""

    def add_service_errors(self, error):
        """Show a ``ValidationError`` raised by a service on the fields it names (renamed by
        :attr:`service_error_fields`); on the whole form when the form has no such field."""
        if not hasattr(error, "error_dict"):
            self.add_error(None, error)
            return
        for name, errors in error.error_dict.items():
            field = self.service_error_fields.get(name, name)
            self.add_error(field if field in self.fields else None, errors)


class LoginForm(StyledFormMixin, AuthenticationForm):
    """Login by email (case-insensitive); wrong credentials get one French message, whatever went
    wrong, with no detail (Django's own message says « un adresse », hence ours)."""

    username = forms.EmailField(
        label="Adresse électronique",
        widget=forms.EmailInput(attrs={"autofocus": True, "autocomplete": "email"}),
    )
    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": (
            "Saisissez une adresse électronique et un mot de passe valides. "
            "Le mot de passe est sensible à la casse (majuscules et minuscules)."
        ),
    }

    def clean_username(self):
        return self.cleaned_data["username"].strip().lower()


class StyledPasswordChangeForm(StyledFormMixin, PasswordChangeForm):
    pass


class OTPCodeForm(StyledFormMixin, forms.Form):
    code = forms.CharField(
        label="Code à usage unique",
        max_length=24,
        help_text="Les 6 chiffres affichés par votre application, ou l'un de vos codes de secours.",
        widget=forms.TextInput(
            attrs={
                "autocomplete": "one-time-code",
                "autofocus": True,
                "spellcheck": "false",
                "autocapitalize": "off",
            }
        ),
    )


class PasswordConfirmForm(StyledFormMixin, forms.Form):
    password = forms.CharField(
        label="Mot de passe",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password", "autofocus": True}),
    )
