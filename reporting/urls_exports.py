"""Placeholder: filled by the exports work."""

urlpatterns = []
