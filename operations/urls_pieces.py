"""Placeholder: filled by the pieces work."""

urlpatterns = []
