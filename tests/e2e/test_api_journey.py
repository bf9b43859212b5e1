"""A référent creates an API token on its page, an integration tool calls the API with it, the
référent revokes it; the API documentation page renders from vendored assets under the CSP."""

import re

from playwright.sync_api import expect

from tests.e2e.conftest import screenshot
from tests.e2e.test_login_journey import account_menu, login


def test_token_created_used_and_revoked(page, transactional_db, world):
    login(page, world.referent_a.email)
    account_menu(page).get_by_role("link", name="Jetons d'API").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Jetons d'API")
    page.get_by_label("Nom du jeton").fill("Tableur du PLIE")
    page.get_by_role("button", name="Créer le jeton").click()
    secret = page.locator("#jeton-secret").inner_text()
    assert secret.startswith("plie_")
    screenshot(page, "api-jeton-cree")

    headers = {"Authorization": f"Bearer {secret}"}
    response = page.request.get("/api/v1/moi/", headers=headers)
    assert response.status == 200
    assert response.json()["email"] == world.referent_a.email

    page.reload()
    expect(page.locator("#jeton-secret")).to_have_count(0)  # shown once
    row = page.get_by_role("row", name=re.compile("Tableur du PLIE"))
    expect(row).not_to_contain_text("jamais")  # its last use is shown
    row.get_by_role("button", name="Révoquer").click()
    expect(page.get_by_role("row", name=re.compile("Tableur du PLIE"))).to_contain_text("Révoqué le")
    refused = page.request.get("/api/v1/moi/", headers=headers)
    assert refused.status == 401
    assert refused.json()["code"] == "non_authentifie"


def test_documentation_page_renders_under_the_csp(page, transactional_db):
    page.goto("/api/docs/")
    expect(page.get_by_text("API du PLIE").first).to_be_visible()
    expect(page.locator(".opblock").first).to_be_visible()
    expect(page.get_by_text("/api/v1/participants/").first).to_be_visible()
    screenshot(page, "api-documentation")
