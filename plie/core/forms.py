from django import forms
from django.contrib.auth.forms import AuthenticationForm, PasswordChangeForm


class StyledFormMixin:
    """Bootstrap classes and ARIA error attributes on every widget, so templates stay plain."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():
            widget = field.widget
            if isinstance(widget, forms.CheckboxInput):
                css = "form-check-input"
            elif isinstance(widget, forms.Select):
                css = "form-select"
            else:
                css = "form-control"
            widget.attrs["class"] = f"{widget.attrs.get('class', '')} {css}".strip()
            if self.is_bound and name in self.errors:
                widget.attrs["class"] += " is-invalid"
                widget.attrs["aria-invalid"] = "true"
                widget.attrs["aria-describedby"] = f"id_{name}_erreur"


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
