"""The dead-letter list: messages to customs that every retry of the horizon failed, shown
to the issuing authority only, with the reason, an alert on the dashboard and "send again"."""

from datetime import timedelta

import pytest
from django.conf import settings as django_settings
from django.urls import reverse

from customs import services
from customs.models import OutboundMessage
from documents.models import CustomsStatus

from ..conftest import client_for
from .conftest import send

pytestmark = pytest.mark.django_db

URL = reverse("drug-permit:dead_letters")
ALERT = 'id="portal-dead-letters-heading"'  # the dashboard panel (the menu has the same words)


@pytest.fixture
def dead(settings, certificate, chain):
    """A certificate whose message found customs down for the whole (here empty) horizon."""
    settings.CUSTOMS_ENDPOINT = "http://127.0.0.1:9/customs/messages/"
    settings.CUSTOMS_RETRY_BASE_SECONDS = 0
    settings.OUTBOX_RETRY_HORIZON = timedelta(0)
    message = send(certificate, chain[4])
    services.deliver_due()
    message.refresh_from_db()
    assert message.state == OutboundMessage.State.DEAD
    return message


def english(client):
    client.cookies[django_settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def test_the_issuing_authority_sees_the_dead_letter_with_its_reason_and_an_alert(dead, chain):
    client = english(client_for(chain[4]))
    page = client.get(URL)
    assert page.status_code == 200
    html = page.content.decode()
    assert dead.message_id in html and dead.certificate.number in html
    assert dead.last_error.startswith("URLError") and "URLError" in html
    dashboard = client.get(reverse("wagtailadmin_home")).content.decode()
    assert ALERT in dashboard and "1 message failed every retry" in dashboard


def test_another_authority_never_sees_it(dead, chain):
    client = english(client_for(chain["other-l1"]))
    page = client.get(URL)
    assert dead.message_id not in page.content.decode()
    assert ALERT not in client.get(reverse("wagtailadmin_home")).content.decode()
    # Nor can it send it again by posting its id.
    client.post(URL, {"selected": [dead.pk]})
    dead.refresh_from_db()
    assert dead.state == OutboundMessage.State.DEAD


def test_send_again_keeps_the_id_with_a_fresh_horizon_and_clears_the_alert(dead, chain):
    client = english(client_for(chain[4]))
    response = client.post(URL, {"selected": [dead.pk, "junk", ""]}, follow=True)
    assert response.status_code == 200
    dead.refresh_from_db()
    assert dead.state == OutboundMessage.State.PENDING and dead.attempts == 0
    assert OutboundMessage.objects.count() == 1
    certificate = dead.certificate
    certificate.refresh_from_db()
    assert certificate.customs_status == CustomsStatus.SENT
    assert dead.message_id not in client.get(URL).content.decode()
    assert ALERT not in client.get(reverse("wagtailadmin_home")).content.decode()


def test_nothing_selected_or_bad_input_is_a_message_not_an_error(dead, chain):
    client = english(client_for(chain[4]))
    response = client.post(URL, {"selected": ["x' OR 1=1"]}, follow=True)
    assert response.status_code == 200
    assert "Select at least one row." in response.content.decode()
    assert client.get(URL, {"certificate": "\x00%", "after": "zz"}).status_code == 200
