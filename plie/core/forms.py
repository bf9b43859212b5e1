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
    """Login by email; wrong credentials get Django's French message, with no detail."""

    username = forms.EmailField(
        label="Adresse électronique",
        widget=forms.EmailInput(attrs={"autofocus": True, "autocomplete": "email"}),
    )


class StyledPasswordChangeForm(StyledFormMixin, PasswordChangeForm):
    pass
