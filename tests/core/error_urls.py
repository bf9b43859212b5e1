"""The project's URLs plus one view that fails, to see the 500 page through the whole stack."""

from django.urls import path

from plie.urls import handler400, handler403, handler404, handler500, urlpatterns  # noqa: F401


def boom(request):
    raise RuntimeError("échec volontaire")


urlpatterns = [path("essai-erreur/", boom), *urlpatterns]
