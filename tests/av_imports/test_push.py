"""Status push covers the audio-video import approval as any system: a chosen application's
subscription hears its review by bell and e-mail, linking this system's page."""

import pytest
from django.core import mail

from notifications.models import Event, Notification

from .. import av_import_helpers as av
from ..conftest import client_for


@pytest.mark.django_db
def test_a_subscriber_hears_the_review_by_bell_and_mail(
    owner, seeded, django_capture_on_commit_callbacks
):
    chains = av.chains()
    filing = av.complete_draft(owner)
    client = client_for(owner)
    with django_capture_on_commit_callbacks(execute=True):
        av.services.submit(filing=filing, actor=owner, second_factor_verified=True)
    response = client.post(
        "/notifications/subscriptions/",
        {"scope": "chosen", "applications": [filing.number], "channels": ["BROWSER", "EMAIL"]},
    )
    assert response.status_code in (200, 302)
    with django_capture_on_commit_callbacks(execute=True):
        av.services.decide(filing=filing, actor=chains[1], decision="approve")
    event = Event.objects.filter(number=filing.number).latest("pk")
    assert event.status == "APPROVED" and event.system == "AV_IMPORT"
    assert [n.event.number for n in Notification.objects.filter(user=owner)] == [filing.number]
    assert len(mail.outbox) == 1 and filing.number in mail.outbox[0].subject
    assert f"/av-imports/{filing.number}/" in mail.outbox[0].body
    page = client.get("/av-imports/").content.decode()
    assert 'id="bell-count" aria-live="polite">1<' in page
