import threading

import pytest
from django.db import close_old_connections

from filings import audit
from filings.runner import AlreadyHandled
from portal.accounts import services as accounts
from portal.drug_permits.models import DrugPermitApplication
from portal.drug_permits.models import DrugPermitStatus as S
from portal.reference.models import Module
from workflows import services

from ..drug_permit_helpers import complete_draft


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_approvers_deciding_at_the_same_moment(seeded, chain, owner, authority):
    """Two threads, two connections: exactly one decision lands, the other is told who."""
    application = complete_draft(owner, authority)
    services.submit(filing=application, actor=owner, second_factor_verified=True)
    second = accounts.create_approver(
        username="bj-l1b", password=None, authority=authority, system=Module.DRUG_PERMIT, level=1
    )
    barrier = threading.Barrier(2)
    outcomes = []

    def decide(actor, name):
        try:
            seen = DrugPermitApplication.objects.get(pk=application.pk)
            barrier.wait()
            services.decide(
                filing=seen, actor=actor, decision=name, opinion="意见", notice_number=f"{name}-1"
            )
            outcomes.append(("ok", name))
        except AlreadyHandled as error:
            outcomes.append(("already handled", str(error)))
        except Exception as error:  # reported by the assertion below
            outcomes.append(("error", repr(error)))
        finally:
            close_old_connections()

    threads = [
        threading.Thread(target=decide, args=(chain[1], "accept")),
        threading.Thread(target=decide, args=(second.user, "not_accept")),
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    kinds = sorted(kind for kind, _ in outcomes)
    assert kinds == ["already handled", "ok"], outcomes
    winner = next(name for kind, name in outcomes if kind == "ok")
    told = next(text for kind, text in outcomes if kind == "already handled")
    status = DrugPermitApplication.objects.get(pk=application.pk).status
    assert status == (S.FIRST_REVIEW if winner == "accept" else S.NOT_ACCEPTED)
    decisions = [e for e in audit.history(application) if e.transition != "submit"]
    assert [d.transition for d in decisions] == [winner]
    assert decisions[0].actor_name in told
