"""Top-level services run in their own durable transaction, so none is nested by accident.

``portal.transactions.top_level`` marks them and lists them in ``TOP_LEVEL``.
Called inside a transaction somebody else opened, each raises RuntimeError
before it changes anything, instead of quietly becoming part of a
transaction that may still roll back.
"""

import importlib
import inspect

import pytest
from django.db import connection, transaction

from portal.transactions import TOP_LEVEL
from tests.conftest import make_chain
from tests.drug_permit_helpers import complete_draft
from workflows import services

# Every module holding top-level services (imported so that their decorators ran).
SERVICE_MODULES = [
    "workflows.services",
    "workflows.seats",
    "workflows.case_notes",
    "customs.services",
    "customs.conflicts",
    "customs.imports",
    "documents.services",
    "notifications.services",
    "portal.accounts.services",
    "portal.cms.services",
    "portal.auto_licences.services",
    "portal.reference.loading",
]
for _module in SERVICE_MODULES:
    importlib.import_module(_module)

# A representative set: each path by which a filing, a certificate, a customs message
# or an account changes.
EXPECTED = {
    "workflows.services.create_draft",
    "workflows.services.save_draft",
    "workflows.services.copy_filing",
    "workflows.services.delete_draft",
    "workflows.services.upload_attachment",
    "workflows.services.delete_attachment",
    "workflows.services.submit",
    "workflows.services.withdraw",
    "workflows.services.start_change",
    "workflows.services.decide",  # issues the notice and the certificate
    "workflows.services.save_approval_settings",
    "workflows.seats.create_seat",
    "workflows.case_notes.add_case_note",
    "customs.services.send_certificate",
    "customs.services.send_certificates",
    "customs.services.deliver_due",
    "customs.services.receive",  # applies receipts and write-offs
    "customs.services.correct_certificate",
    "customs.services.void_certificate",
    "customs.conflicts.resolve",
    "customs.imports.upload",
    "customs.imports.send_records",
    "documents.services.keep_document",
    "notifications.services.subscribe",
    "notifications.services.deliver_webhooks_due",
    "portal.accounts.services.register_enterprise",
    "portal.accounts.services.create_approver",
    "portal.accounts.services.update_regulator",
    "portal.accounts.services.reset_second_factor",
    "portal.accounts.services.unlock_sign_in",
    "portal.cms.services.submit_feedback",
    "portal.auto_licences.services.save_contract",
    "portal.reference.loading.load_reference_data",
}


def test_the_top_level_services_are_marked_durable():
    missing = EXPECTED - set(TOP_LEVEL)
    assert not missing, f"not marked @top_level: {sorted(missing)}"
    assert all(getattr(service, "durable", False) for service in TOP_LEVEL.values())


def test_no_service_module_opens_a_plain_transaction_of_its_own():
    """The rule stays visible: a service module marks its services, it does not decorate
    them with a plain (nestable) ``transaction.atomic``."""
    offenders = [
        name
        for name in SERVICE_MODULES
        if "@transaction.atomic" in inspect.getsource(importlib.import_module(name))
    ]
    assert not offenders


@pytest.mark.django_db
@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_a_top_level_service_refuses_to_run_inside_an_open_transaction(name):
    with transaction.atomic():  # a caller's own transaction (not the test case's)
        with pytest.raises(RuntimeError, match="durable atomic block"):
            TOP_LEVEL[name]()


# Commits for real (no test-case transaction around it); serialized_rollback restores the
# data migrations' rows (the role groups) after an earlier transactional test's flush.
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_submitting_inside_a_callers_transaction_is_refused_and_changes_nothing(owner, authority):
    make_chain(authority, "tx")
    application = complete_draft(owner, authority)  # each service committed on its own
    assert not connection.in_atomic_block
    draft_state = application.status
    with pytest.raises(RuntimeError):
        with transaction.atomic():
            services.submit(filing=application, actor=owner, second_factor_verified=True)
    application.refresh_from_db()
    assert application.status == draft_state and application.submitted_at is None

    # A copy makes its drafts through create_draft's body inside its own one transaction.
    copies = services.copy_filing(filing=application, actor=owner, times=1)
    assert len(copies) == 1 and copies[0].status == draft_state
    assert copies[0].goods_lines.count() == application.goods_lines.count() == 1

    services.submit(filing=application, actor=owner, second_factor_verified=True)
    application.refresh_from_db()
    assert application.status != draft_state and application.submitted_at is not None
