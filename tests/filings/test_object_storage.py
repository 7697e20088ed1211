"""Media go to the S3-compatible store when PORTAL_S3_* is set (make test-services)."""

import boto3
import pytest
from django.conf import settings
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile

from ..workflows.test_hostile_pdfs import pdf

pytestmark = [pytest.mark.needs_s3, pytest.mark.django_db]


def bucket_keys():
    """The keys in the bucket, read by a client of its own, not through Django."""
    options = settings.STORAGES["default"]["OPTIONS"]
    client = boto3.client(
        "s3",
        endpoint_url=options["endpoint_url"],
        region_name=options["region_name"],
        aws_access_key_id=options["access_key"],
        aws_secret_access_key=options["secret_key"],
    )
    pages = client.get_paginator("list_objects_v2").paginate(
        Bucket=options["bucket_name"], Prefix=options["location"] + "/"
    )
    return {item["Key"] for page in pages for item in page.get("Contents", [])}


def test_the_media_storage_is_the_bucket():
    assert settings.STORAGES["default"]["BACKEND"] == "storages.backends.s3.S3Storage"
    name = default_storage.save("probe/hello.txt", SimpleUploadedFile("hello.txt", b"hello"))
    assert f"{default_storage.location}/{name}" in bucket_keys()
    with default_storage.open(name) as stored:
        assert stored.read() == b"hello"


def test_an_uploaded_attachment_lands_in_the_bucket(owner, authority, chain):
    from ..drug_permit_helpers import draft, line, services

    filing = draft(owner, authority)
    services.add_line(filing=filing, actor=owner, values=line())
    kind = filing.purpose.attachment_types.filter(required=True).first()
    services.upload_attachment(
        filing=filing,
        actor=owner,
        attachment_type=kind,
        uploaded_file=SimpleUploadedFile("licence.pdf", pdf()),
    )
    attachment = filing.attachments.get()
    assert f"{default_storage.location}/{attachment.file.name}" in bucket_keys()
    with attachment.file.open("rb") as stored:
        assert stored.read() == pdf()
