"""The OpenAPI document and the docs page: every route listed; nothing from a CDN."""

import re

from django.conf import settings
from django.test import Client
from openapi_spec_validator import validate

from fengqiao.cases.states import Action

from .conftest import BASE


def test_the_openapi_document_is_valid_json_listing_every_route(db):
    response = Client().get(f"{BASE}/openapi.json")
    assert response.status_code == 200
    document = response.json()
    # the whole document against the OpenAPI schema of its version
    validate(document)
    assert document["openapi"].startswith("3.")
    routes = {(method, path) for path, ops in document["paths"].items() for method in ops}
    expected = {
        ("post", f"{BASE}/cases"),
        ("get", f"{BASE}/cases"),
        ("get", f"{BASE}/cases/{{case_id}}"),
        ("post", f"{BASE}/cases/similar"),
        ("post", f"{BASE}/cases/{{case_id}}/attachments"),
        ("get", f"{BASE}/cases/{{case_id}}/attachments/{{attachment_id}}"),
        ("get", f"{BASE}/categories"),
        ("get", f"{BASE}/units"),
        ("get", f"{BASE}/areas"),
        ("get", f"{BASE}/areas/{{area_id}}/children"),
    } | {("post", f"{BASE}/cases/{{case_id}}/{action.value}") for action in Action}
    assert expected <= routes
    assert len(Action) == 24


def test_every_action_route_has_a_typed_body_and_the_common_error_body(db):
    document = Client().get(f"{BASE}/openapi.json").json()
    schemas = document["components"]["schemas"]
    assert set(schemas["ErrorOut"]["properties"]) == {"code", "message", "fields"}
    for action in Action:
        op = document["paths"][f"{BASE}/cases/{{case_id}}/{action.value}"]["post"]
        assert "requestBody" in op, action
        assert {"200", "404", "409", "422"} <= set(op["responses"]), action
    register = document["paths"][f"{BASE}/cases"]["post"]["requestBody"]["content"]
    assert {"application/json", "multipart/form-data"} <= set(register)
    # writes answer the small reference; the detail is read from its url
    ref = "#/components/schemas/CaseRef"
    created = document["paths"][f"{BASE}/cases"]["post"]["responses"]["201"]
    assert created["content"]["application/json"]["schema"]["$ref"] == ref
    for action in Action:
        op = document["paths"][f"{BASE}/cases/{{case_id}}/{action.value}"]["post"]
        assert op["responses"]["200"]["content"]["application/json"]["schema"]["$ref"] == ref
    assert set(schemas["CaseRef"]["required"]) >= {"id", "number", "tracking_code", "state", "url"}
    assert schemas["ReturnIn"]["required"] == ["reason", "basis"]


def test_the_document_declares_bearer_authentication(db):
    document = Client().get(f"{BASE}/openapi.json").json()
    schemes = document["components"]["securitySchemes"]
    assert any(s.get("scheme") == "bearer" for s in schemes.values())


def test_the_docs_page_loads_only_our_own_static_files(db):
    response = Client().get(f"{BASE}/docs")
    assert response.status_code == 200
    html = response.content.decode()
    sources = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert sources, html
    assert all(s.startswith("/static/") for s in sources), sources
    assert "openapi.json" in html
    vendored = settings.BASE_DIR / "static" / "vendor" / "swagger-ui"
    assert (vendored / "swagger-ui-bundle.js").stat().st_size > 100_000
    assert (vendored / "LICENSE").exists()
    init = (settings.BASE_DIR / "api" / "static" / "api" / "swagger-init.js").read_text()
    assert "validatorUrl: null" in init
