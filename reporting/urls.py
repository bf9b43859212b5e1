"""Dashboards (namespace ``reporting``)."""

app_name = "reporting"

urlpatterns = []
