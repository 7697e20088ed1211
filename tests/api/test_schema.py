"""The OpenAPI 3 schema at /api/schema/ and the docs page from our own static files."""

import json

import pytest
from django.contrib.staticfiles import finders
from django.test import Client
from openapi_spec_validator import validate

from filings import registry

pytestmark = pytest.mark.django_db


def test_schema_is_valid_openapi_3_and_documents_every_error():
    response = Client().get("/api/schema/")
    assert response.status_code == 200

    def no_duplicate_keys(pairs):
        keys = [k for k, _v in pairs]
        assert len(keys) == len(set(keys)), keys  # YAML/JSON readers refuse duplicates
        return dict(pairs)

    schema = json.loads(response.content, object_pairs_hook=no_duplicate_keys)
    assert schema["openapi"].startswith("3.")
    validate(schema)
    assert "ErrorOut" in schema["components"]["schemas"]
    assert schema["components"]["securitySchemes"]["TokenAuth"]["scheme"] == "bearer"
    for system in registry.all_systems():
        base = f"/api/v1/{system.slug}/applications"
        assert {base, f"{base}/{{number}}", f"{base}/{{number}}/submit"} <= set(schema["paths"])
        create = schema["paths"][base]["post"]
        assert any(p["name"] == "Idempotency-Key" for p in create["parameters"])
        fields = schema["components"]["schemas"][
            create["requestBody"]["content"]["application/json"]["schema"]["$ref"].split("/")[-1]
        ]["properties"]
        assert set(fields) == set(system.header_fields)
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            for status in ("401", "404", "422"):
                if path == "/api/v1/me" and status != "401":
                    continue
                ref = operation["responses"][status]["content"]["application/json"]["schema"]
                assert ref["$ref"].endswith("/ErrorOut"), (path, method, status)


def test_docs_page_uses_our_static_files_and_the_csp():
    response = Client().get("/api/docs/")
    assert response.status_code == 200
    page = response.content.decode()
    assert "/static/ninja/swagger-ui-bundle.js" in page and "cdn" not in page.lower()
    assert "<script>" not in page  # no inline script: only static files and JSON data
    assert finders.find("ninja/swagger-ui-bundle.js") and finders.find("ninja/swagger-ui-init.js")
    csp = response["Content-Security-Policy"]
    assert (
        "script-src 'self'" in csp
        and "unsafe-inline" not in csp.split("script-src")[1].split(";")[0]
    )
