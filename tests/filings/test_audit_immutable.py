"""Audit rows cannot be rewritten: nothing cascades into them, and on PostgreSQL the
database itself refuses UPDATE and DELETE on the table."""

import pytest
from django.db import connection, transaction
from django.db.utils import DatabaseError

from filings import audit
from filings.models import AuditEntry, CaseNote, Filing
from workflows import services

from ..drug_permit_helpers import draft


@pytest.mark.django_db
def test_record_keeps_the_document_hash_and_the_actor_name(chain, owner, authority):
    filing = draft(owner, authority)
    entry = audit.record(
        target=filing,
        actor=owner,
        transition="issue",
        from_state="A",
        to_state="B",
        sha256="ab" * 32,
    )
    entry.refresh_from_db()
    assert entry.sha256 == "ab" * 32
    assert entry.actor_display == (owner.get_full_name() or owner.get_username())


@pytest.mark.django_db
def test_deleting_a_draft_keeps_its_audit_rows_whole(chain, owner, authority):
    filing = draft(owner, authority)
    audit.record(target=filing, actor=owner, transition="create", from_state="", to_state="A")
    filing_id, name = filing.pk, owner.get_full_name() or owner.get_username()

    services.delete_draft(filing=filing, actor=owner)

    assert not Filing.objects.filter(pk=filing_id).exists()
    rows = list(AuditEntry.objects.filter(filing_id=filing_id))
    assert len(rows) == 1
    row = rows[0]
    assert row.object_id == str(filing_id) and row.actor_id == owner.pk
    assert row.filing_or_none is None and row.level_label == "" and row.actor_name == name
    # The history query still reads the row of a filing that no longer exists.
    fetched = AuditEntry.objects.select_related("actor", "filing").get(pk=row.pk)
    assert fetched.filing is None and fetched.filing_id == filing_id


@pytest.mark.django_db
def test_deactivating_or_renaming_a_user_keeps_the_rows_and_the_name(chain, owner, authority):
    filing = draft(owner, authority)
    entry = audit.record(
        target=filing, actor=owner, transition="submit", from_state="A", to_state="B"
    )
    name = owner.get_full_name() or owner.get_username()

    owner.is_active = False
    owner.save()
    owner.first_name, owner.last_name = "Renamed", "Later"
    owner.save()
    row = AuditEntry.objects.get(pk=entry.pk)
    assert row.actor_id == owner.pk and row.actor_name == name

    assert list(audit.history(filing))[0].actor_name == name


@pytest.mark.needs_postgres
@pytest.mark.django_db
def test_the_database_refuses_raw_update_and_delete(chain, owner, authority):
    assert connection.vendor == "postgresql"
    filing = draft(owner, authority)
    entry = audit.record(target=filing, actor=owner, transition="x", from_state="A", to_state="B")
    table = AuditEntry._meta.db_table
    for sql in (
        f"UPDATE {table} SET opinion = 'rewritten' WHERE id = %s",
        f"DELETE FROM {table} WHERE id = %s",
    ):
        with pytest.raises(DatabaseError, match="append-only"):
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute(sql, [entry.pk])
    entry.refresh_from_db()
    assert entry.opinion == ""


@pytest.mark.needs_postgres
@pytest.mark.django_db
def test_the_database_refuses_raw_update_and_delete_of_case_notes(chain, owner, authority):
    assert connection.vendor == "postgresql"
    filing = draft(owner, authority)
    note = CaseNote.objects.create(filing=filing, author=owner, author_display="x", text="kept")
    table = CaseNote._meta.db_table
    for sql in (
        f"UPDATE {table} SET text = 'rewritten' WHERE id = %s",
        f"DELETE FROM {table} WHERE id = %s",
    ):
        with pytest.raises(DatabaseError, match="append-only"):
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute(sql, [note.pk])
    assert CaseNote.objects.get(pk=note.pk).text == "kept"
