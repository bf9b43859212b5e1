"""Placeholder: filled by the mensuel work."""

urlpatterns = []
