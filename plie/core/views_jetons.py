"""The API tokens page: a user creates, names, sees the last use of and revokes their tokens;
an administrateur does the same for the users of the PLIE it administers."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from plie.core.forms import StyledFormMixin
from plie.core.permissions import can_manage_api_token
from plie.core.tokens import administered_users, holder_of, token_create, token_revoke, tokens_visible_to


class TokenForm(StyledFormMixin, forms.Form):
    nom = forms.CharField(
        label="Nom du jeton",
        max_length=100,
        help_text="L'outil ou l'usage qui l'emploie, pour le reconnaître.",
    )
    ecriture = forms.BooleanField(
        label="Lecture et écriture",
        required=False,
        help_text="Sans cette case, le jeton ne permet que de lire.",
    )
    utilisateur = forms.ModelChoiceField(label="Pour l'utilisateur", queryset=None, required=False)

    def __init__(self, *args, scope, **kwargs):
        super().__init__(*args, **kwargs)
        users = administered_users(scope).order_by("last_name", "first_name", "email")
        self.fields["utilisateur"].queryset = users
        self.fields["utilisateur"].empty_label = "moi-même"
        if not (scope.is_superuser or users.exclude(pk=scope.user_id).exists()):
            del self.fields["utilisateur"]


# The new secret waits in the session between the POST and the page that shows it (then is
# dropped): a reload of that page does not create another token, nor show the secret again.
SECRET_SESSION_KEY = "jeton_api_nouveau"


@login_required
def jetons(request):
    scope = request.scope
    form = TokenForm(request.POST or None, scope=scope)
    if request.method == "POST" and form.is_valid():
        owner = form.cleaned_data.get("utilisateur") or request.user
        if not can_manage_api_token(scope, holder_of(owner)):
            raise PermissionDenied
        try:
            token, secret = token_create(
                scope=scope, owner=owner, nom=form.cleaned_data["nom"], ecriture=form.cleaned_data["ecriture"]
            )
        except ValidationError as error:
            for name, errors in error.message_dict.items():
                form.add_error(name if name in form.fields else None, errors)
        else:
            request.session[SECRET_SESSION_KEY] = secret
            messages.success(
                request, f"Jeton « {token.nom} » créé : copiez-le maintenant, il ne sera plus affiché."
            )
            return redirect("core:jetons")
    secret = request.session.pop(SECRET_SESSION_KEY, None) if request.method == "GET" else None
    tokens = tokens_visible_to(scope).order_by("revoked_at", "-created_at")
    return render(request, "core/jetons.html", {"form": form, "tokens": tokens, "secret": secret})


@login_required
@require_POST
def jeton_revoquer(request, pk):
    scope = request.scope
    token = get_object_or_404(tokens_visible_to(scope), pk=pk)
    if not can_manage_api_token(scope, holder_of(token.user)):
        raise PermissionDenied
    token_revoke(scope=scope, token=token)
    messages.success(request, f"Jeton « {token.nom} » révoqué : il est refusé dès maintenant.")
    return redirect("core:jetons")
