"""Placeholder: filled by the operations work."""

urlpatterns = []
