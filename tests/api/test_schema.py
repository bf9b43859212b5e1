"""The OpenAPI schema (/api/schema/) validates, documents every route with its errors, and the
documentation page serves vendored assets only."""

from io import StringIO

from django.core.management import call_command
from drf_spectacular.validation import validate_schema


def test_schema_generates_without_warning_and_validates(tmp_path, db):
    target = tmp_path / "schema.yaml"
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(target), stderr=StringIO())
    assert "openapi: 3" in target.read_text()


def test_schema_endpoint(client, db):
    response = client.get("/api/schema/", {"format": "json"})
    assert response.status_code == 200
    schema = response.json()
    validate_schema(schema)
    paths = schema["paths"]
    for path in (
        "/api/v1/participants/",
        "/api/v1/participants/{id}/",
        "/api/v1/participants/supprimes/",
        "/api/v1/parcours/",
        "/api/v1/entretiens/",
        "/api/v1/etapes/",
        "/api/v1/sorties/",
        "/api/v1/sorties/{id}/valider/",
        "/api/v1/suspensions/",
        "/api/v1/commissions/",
        "/api/v1/alertes/",
        "/api/v1/operations/",
        "/api/v1/inscriptions/",
        "/api/v1/structures/",
        "/api/v1/referents/",
        "/api/v1/moi/",
        "/api/v1/plie/{code}/bilan/{annee}/",
    ):
        assert path in paths, path
    for path, item in paths.items():
        for method, operation in item.items():
            assert operation.get("summary") or operation.get("description"), f"{method} {path}"
            assert operation["responses"]["404"]["content"]["application/json"]["schema"] == {
                "$ref": "#/components/schemas/Erreur"
            }
    assert schema["components"]["securitySchemes"]["jeton"]["scheme"] == "bearer"
    sortie_post = paths["/api/v1/sorties/"]["post"]
    assert "409" in sortie_post["responses"]
    assert sortie_post["requestBody"]["content"]["application/json"]["examples"]


def test_docs_page_uses_vendored_assets(client, db):
    response = client.get("/api/docs/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "/static/vendor/swagger-ui-sidecar-2026.10.1/swagger-ui-bundle.js" in html
    assert "http://" not in html and "https://" not in html  # no CDN
    assert "<script>" not in html  # no inline script (CSP)
