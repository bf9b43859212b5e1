"""Placeholder: filled by the suivi work."""

urlpatterns = []
