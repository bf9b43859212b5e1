from django import forms
from django.contrib.auth.forms import AuthenticationForm, PasswordChangeForm
from django.forms.boundfield import BoundField


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
