"""What schemathesis found against /api/schema/ (scripts/schemathesis.sh, `make
api-fuzz`), kept as tests: a body the API cannot read is the documented 400
``invalid_request``, never a 500 or a status the schema does not list."""

import json

import pytest
from django.test import Client

from filings.models import Filing

from .helpers import ApiClient, drug_header

pytestmark = pytest.mark.django_db

APPS = "/api/v1/drug-permits/applications"


def _documented(method: str, path: str) -> set[str]:
    schema = json.loads(Client().get("/api/schema/").content)
    return set(schema["paths"][path][method]["responses"])


def test_multipart_without_a_boundary_is_a_400_not_a_500(chain, owner):
    api = ApiClient(owner)
    number = api.post(APPS, drug_header()).json()["number"]
    response = api.client.post(
        f"{APPS}/{number}/attachments", b"--x\r\n", content_type="multipart/form-data"
    )
    assert response.status_code == 400, response.content
    body = response.json()
    assert body["code"] == "invalid_request" and body["messages"]["zh"]
    assert "400" in _documented("post", f"{APPS}/{{number}}/attachments")


def test_a_body_with_too_many_fields_is_the_json_400(chain, owner, settings):
    """Django refuses it (TooManyFieldsSent) while the operation reads the form: the API's
    own 400, not Django's HTML page."""
    settings.DATA_UPLOAD_MAX_NUMBER_FIELDS = 2
    api = ApiClient(owner)
    number = api.post(APPS, drug_header()).json()["number"]
    response = api.client.post(
        f"{APPS}/{number}/attachments",
        {"a": "1", "b": "2", "c": "3", "attachment_type": "1"},
    )
    assert response.status_code == 400, response.content
    assert response.json()["code"] == "invalid_request"


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("post", "", "{"),
        ("patch", "/{number}", "\x00"),
        ("post", "/{number}/lines", "\x00"),
        ("post", "/{number}/copy", "\x00"),
    ],
)
def test_unreadable_json_is_a_documented_400(chain, owner, method, path, body):
    api = ApiClient(owner)
    number = api.post(APPS, drug_header()).json()["number"]
    response = getattr(api.client, method)(
        APPS + path.format(number=number), body, content_type="application/json"
    )
    assert response.status_code == 400, response.content
    assert response.json()["code"] == "invalid_request"
    assert "400" in _documented(method, APPS + path)


def test_unreadable_json_on_a_decision_is_a_documented_400(chain, owner):
    api = ApiClient(chain[1])
    path = "/api/v1/drug-permits/review/applications/{number}/decide"
    response = api.client.post(path.format(number="X"), "\x00", content_type="application/json")
    assert response.status_code in (400, 404), response.content
    assert "400" in _documented("post", path)


@pytest.mark.parametrize("year", [-885031, 0, 10000, 40000, None])
def test_a_licence_year_no_calendar_has_is_a_422_not_a_500(owner, year):
    """The pre-check's year came to a date() unchecked: a 500 on the API (and on the
    create page's query string)."""
    from tests import auto_licence_helpers as licence
    from tests.api.test_applications import _json

    licence.chains()
    values = {name: _json(v) for name, v in licence.header().items()}
    values["year"] = year
    response = ApiClient(owner).post("/api/v1/auto-licences/applications", values)
    assert response.status_code == 422, response.content
    assert response.json()["code"] == "validation_error"
    assert response.json()["fields"]["year"]["en"]


@pytest.mark.parametrize("body", ["true", "[]", '"x"', "3", "null"])
def test_a_json_body_that_is_no_object_is_refused(chain, owner, body):
    api = ApiClient(owner)
    response = api.client.post(APPS, body, content_type="application/json")
    assert response.status_code == 422, response.content
    assert response.json()["code"] == "invalid_request"


def test_an_attachment_download_has_a_documented_content_type(chain, owner):
    """Downloads are served with their content's type (application/pdf), which the schema
    listed as application/octet-stream only."""
    from tests import drug_permit_helpers as drug

    api = ApiClient(owner)
    number = api.post(APPS, drug_header()).json()["number"]
    uploaded = api.upload(f"{APPS}/{number}/attachments", {"file": drug.pdf("form.pdf")})
    assert uploaded.status_code == 201, uploaded.content
    download = api.client.get(uploaded.json()["download"])
    assert download.status_code == 200
    schema = json.loads(Client().get("/api/schema/").content)
    operation = schema["paths"][f"{APPS}/{{number}}/attachments/{{attachment_id}}"]["get"]
    assert download["Content-Type"] in operation["responses"]["200"]["content"]


def test_a_boolean_is_no_number_of_copies(chain, owner):
    """``{"times": true}`` made one copy (pydantic reads true as 1 unless strict)."""
    api = ApiClient(owner)
    number = api.post(APPS, drug_header()).json()["number"]
    response = api.post(f"{APPS}/{number}/copy", {"times": True})
    assert response.status_code == 422 and response.json()["code"] == "invalid_request"
    assert Filing.objects.filter(system="DRUG_PERMIT").count() == 1
