"""The document issued is the document kept: rendered once after the issuing commit,
stored, served as those bytes, its SHA-256 in the audit and on the verification page."""

import hashlib

import pytest
from django.core.files.storage import default_storage

from customs import services as customs_services
from documents import services
from documents.models import KeptDocument
from filings.models import AuditEntry

from ..conftest import client_for
from ..drug_permit_helpers import decide_all


@pytest.fixture(autouse=True)
def _own_media(settings, tmp_path):
    # Database rows roll back between tests, files do not: each test gets its own media.
    settings.MEDIA_ROOT = tmp_path


def kept_files(certificate):
    _dirs, files = default_storage.listdir(f"kept/certificate/{certificate.pk}")
    return sorted(files)


def issued(owner, chain, authority, capture):
    # The keep task is enqueued on commit; the test backend runs it at once.
    with capture(execute=True):
        return decide_all(owner, chain, authority)


@pytest.mark.django_db
def test_certificate_is_rendered_once_and_served_as_kept(
    chain, owner, owner_client, other_owner, authority, django_capture_on_commit_callbacks
):
    application = issued(owner, chain, authority, django_capture_on_commit_callbacks)
    certificate = application.certificate
    kept = services.kept_for(certificate)
    assert kept is not None and kept.revision == 1
    assert kept_files(certificate) == [kept.file_name.rsplit("/", 1)[1]], "kept on issue"

    url = f"/drug-permits/{application.number}/certificate/"
    bodies = set()
    for _ in range(3):
        response = owner_client.get(url)
        assert response.status_code == 200
        assert response["Content-Type"] == "application/pdf"
        assert response["X-Content-Type-Options"] == "nosniff"
        assert response["Content-Disposition"].startswith('inline; filename="')
        bodies.add(response.content)
    staff = client_for(chain[4])
    bodies.add(staff.get(f"/admin/drug-permit/certificates/{certificate.number}/pdf/").content)
    (body,) = bodies
    assert hashlib.sha256(body).hexdigest() == kept.sha256
    assert len(kept_files(certificate)) == 1, "one stored file per revision"

    entry = AuditEntry.objects.for_object(certificate).get(transition="document_issued")
    assert entry.sha256 == kept.sha256

    code = services.code_for(certificate).code
    page = client_for(other_owner).get(f"/verify/{code}/")
    assert kept.sha256 in page.content.decode()
    match = owner_client.get(f"/verify/{code}/", {"sha256": kept.sha256.upper()})
    assert 'id="hash-result"' in match.content.decode() and "verify--ok" in match.content.decode()
    other = owner_client.get(f"/verify/{code}/", {"sha256": "0" * 64}).content.decode()
    assert "verify--void" in other
    spaced = " ".join(kept.sha256[i : i + 8] for i in range(0, 64, 8))
    assert "verify--ok" in owner_client.get(f"/verify/{code}/", {"sha256": spaced}).content.decode()
    short = owner_client.get(f"/verify/{code}/", {"sha256": "deadbeef<script>"})
    assert short.status_code == 200 and "verify--unknown" in short.content.decode()
    assert "<script>" not in short.content.decode().split('id="hash-result"')[1][:400]

    assert client_for(other_owner).get(url).status_code == 404, "scoping unchanged"


@pytest.mark.django_db
def test_notice_kept_lazily_when_issued_before(chain, owner, owner_client, authority):
    application = decide_all(owner, chain, authority)  # on-commit never ran: not kept yet
    notice = application.notices.get()
    assert services.kept_for(notice) is None
    url = f"/drug-permits/{application.number}/notices/{notice.pk}/"
    first = owner_client.get(url, HTTP_ACCEPT_LANGUAGE="en")
    second = owner_client.get(url)
    assert first.status_code == second.status_code == 200
    assert first.content == second.content, "the same bytes whatever the language"
    kept = services.kept_for(notice)
    assert hashlib.sha256(first.content).hexdigest() == kept.sha256
    assert KeptDocument.objects.filter(object_id=str(notice.pk)).count() == 1


@pytest.mark.django_db
def test_correction_keeps_a_new_revision_and_void_keeps_the_bytes(
    chain, owner, owner_client, authority, client, django_capture_on_commit_callbacks
):
    application = issued(owner, chain, authority, django_capture_on_commit_callbacks)
    certificate = application.certificate
    old_code = services.code_for(certificate).code
    first = services.kept_for(certificate)
    url = f"/drug-permits/{application.number}/certificate/"
    before = owner_client.get(url).content

    values = customs_services.correctable_values(certificate)
    values.update({"remarks": "更正数量", "line-1-quantity": "800"})
    with django_capture_on_commit_callbacks(execute=True):
        customs_services.correct_certificate(
            certificate=certificate, actor=chain[4], values=values, reason="企业申请更正数量"
        )
    certificate.refresh_from_db()
    second = services.kept_for(certificate)
    assert certificate.revision == 2 and second.revision == 2
    assert second.sha256 != first.sha256
    assert len(kept_files(certificate)) == 2, "the earlier revision's file is kept"
    with default_storage.open(first.file_name, "rb") as handle:
        assert handle.read() == before
    after = owner_client.get(url).content
    assert hashlib.sha256(after).hexdigest() == second.sha256

    assert services.verify(old_code).status == "superseded"
    old_page = client.get(f"/verify/{old_code}/").content.decode()
    assert "verify--superseded" in old_page and first.sha256 in old_page
    new_code = services.code_for(certificate).code
    assert second.sha256 in client.get(f"/verify/{new_code}/").content.decode()

    client_for(chain[4]).post(
        f"/admin/drug-permit/certificates/{certificate.number}/void/", {"reason": "企业申请注销"}
    )
    certificate.refresh_from_db()
    assert certificate.status == "VOID"
    assert owner_client.get(url).content == after, "a void never changes the bytes"
    assert services.verify(new_code).status == "void"
    void_page = client.get(f"/verify/{new_code}/").content.decode()
    assert "已作废" in void_page and second.sha256 in void_page
    assert len(kept_files(certificate)) == 2
