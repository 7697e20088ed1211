"""Status push: persisted events, who subscribed to what, the bell, webhooks."""

import secrets

from django.conf import settings
from django.db import models
from django.urls import NoReverseMatch, reverse
from django.utils import translation
from django.utils.translation import gettext, pgettext
from django.utils.translation import gettext_lazy as _

from filings import registry
from portal.reference.models import Module


def languages() -> list[str]:
    return [code for code, _name in settings.LANGUAGES]


class Event(models.Model):
    """One status change of an enterprise's filing or certificate (any system), after commit.

    Its id orders the enterprise's stream: a browser that reconnects asks for
    the events after the last id it saw.

    The event keeps what it is about (subject, system, numbers, status) and the
    status as its model names it in each language (``labels``); its message is
    written when it is read or sent, in the reader's language (``text_in``).
    ``text`` and ``status_label`` keep the Chinese: what webhooks carry, and all
    that events stored before ``labels`` existed have.
    """

    enterprise = models.ForeignKey(
        "accounts.Enterprise", on_delete=models.CASCADE, related_name="+"
    )
    subject = models.CharField(max_length=20)  # application, certificate, test
    system = models.CharField(max_length=30, choices=Module.choices, blank=True)
    filing = models.ForeignKey(
        "filings.Filing", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    number = models.CharField(_("application number"), max_length=32, blank=True)
    certificate_number = models.CharField(max_length=32, blank=True)
    status = models.CharField(max_length=40)
    status_label = models.CharField(_("status"), max_length=100)
    # The status label by language code ({"zh-hans": "待受理", "en": "Pending acceptance"}).
    labels = models.JSONField(default=dict, blank=True)
    text = models.CharField(_("message"), max_length=300)
    created_at = models.DateTimeField(_("time"), auto_now_add=True)

    class Meta:
        ordering = ["-pk"]
        indexes = [models.Index(fields=["enterprise", "id"])]

    def __str__(self):
        return self.text

    @property
    def detail_url(self) -> str:
        """The enterprise's page of the filing this event is about ("" if none)."""
        system = registry.find(self.system)
        if system is None or not self.number:
            return ""
        try:
            return reverse(f"{system.url_namespace}:detail", args=[self.number])
        except NoReverseMatch:
            return ""

    def status_label_in(self, language: str | None = None) -> str:
        """The status in ``language`` (default: the active one)."""
        language = language or translation.get_language() or settings.LANGUAGE_CODE
        labels = self.labels or {}
        return labels.get(language) or labels.get(settings.LANGUAGE_CODE) or self.status_label

    def text_in(self, language: str | None = None) -> str:
        """The message in ``language`` (default: the active one); old rows keep their text."""
        language = language or translation.get_language() or settings.LANGUAGE_CODE
        if self.subject == "test":
            with translation.override(language):
                return gettext("Test event from the Single Window")
        if self.subject not in ("application", "certificate") or not self.labels:
            return self.text
        status = self.status_label_in(language)
        with translation.override(language):
            if self.subject == "application":
                return gettext("Application %(number)s: %(status)s") % {
                    "number": self.number,
                    "status": status,
                }
            return gettext("Certificate %(number)s: %(status)s") % {
                "number": self.certificate_number,
                "status": status,
            }

    @property
    def localized_text(self) -> str:
        return self.text_in()

    @property
    def localized_status_label(self) -> str:
        return self.status_label_in()

    def email_subject(self, language: str | None = None) -> str:
        language = language or translation.get_language() or settings.LANGUAGE_CODE
        with translation.override(language):
            brand = pgettext("e-mail subject prefix", "Single Window")
        return f"[{brand}] {self.text_in(language)}"

    def payload(self, language: str | None = None) -> dict:
        """The event as a socket or a webhook carries it.

        Without ``language``: Chinese ``text`` and ``status_label`` plus ``labels`` and
        ``texts`` in every language (the socket's consumer keeps its reader's); with
        it, in that language only.
        """
        common = {
            "type": "status",
            "id": self.pk,
            "subject": self.subject,
            "system": self.system,
            "number": self.number,
            "certificate_number": self.certificate_number,
            "status": self.status,
            "at": self.created_at.isoformat(),
        }
        if language is not None:
            return {
                **common,
                "status_label": self.status_label_in(language),
                "text": self.text_in(language),
            }
        return {
            **common,
            "status_label": self.status_label,
            "text": self.text,
            "labels": {code: self.status_label_in(code) for code in languages()},
            "texts": {code: self.text_in(code) for code in languages()},
        }


class Channel(models.TextChoices):
    BROWSER = "BROWSER", _("Browser")
    EMAIL = "EMAIL", _("E-mail")
    WEBHOOK = "WEBHOOK", _("Webhook")


class Subscription(models.Model):
    """订阅: one user, one channel, one application, all of one system's or all of the
    enterprise's."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="subscriptions"
    )
    enterprise = models.ForeignKey(
        "accounts.Enterprise", on_delete=models.CASCADE, related_name="+"
    )
    filing = models.ForeignKey(
        "filings.Filing",
        verbose_name=_("application"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
    )
    # With no filing: every filing of this system ("" = of every system).
    system = models.CharField(
        _("filing system"), max_length=30, choices=Module.choices, blank=True, default=""
    )
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    created_at = models.DateTimeField(_("subscribed"), auto_now_add=True)
    cancelled_at = models.DateTimeField(_("cancelled"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["user", "-created_at", "-id"])]

    def __str__(self):
        return f"{self.user} {self.channel} {self.filing or self.system or '*'}"

    @property
    def active(self) -> bool:
        return self.cancelled_at is None


class Notification(models.Model):
    """An event in one user's notification list (the bell)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="+")
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-pk"]
        constraints = [
            models.UniqueConstraint(fields=["user", "event"], name="one_notification_per_event")
        ]
        indexes = [
            models.Index(fields=["user", "read_at"]),
            models.Index(fields=["user", "-id"]),
        ]

    def __str__(self):
        return f"{self.user}: {self.event}"


def new_secret() -> str:
    return secrets.token_urlsafe(32)


class WebhookEndpoint(models.Model):
    """An enterprise system's HTTPS address; every event is POSTed there, signed."""

    enterprise = models.ForeignKey(
        "accounts.Enterprise", on_delete=models.CASCADE, related_name="+"
    )
    url = models.URLField(_("address (HTTPS)"), max_length=500)
    secret = models.CharField(max_length=64, default=new_secret)
    active = models.BooleanField(default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self):
        return self.url


class WebhookDelivery(models.Model):
    """One event to one endpoint: attempts with backoff, and what the endpoint answered."""

    class State(models.TextChoices):
        PENDING = "PENDING", _("Waiting to be delivered")
        DELIVERED = "DELIVERED", _("Delivered")
        FAILED = "FAILED", _("Delivery failed")
        DEAD = "DEAD", _("Dead letter: retries gave up")

    endpoint = models.ForeignKey(
        WebhookEndpoint, on_delete=models.CASCADE, related_name="deliveries"
    )
    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="+")
    state = models.CharField(max_length=10, choices=State.choices, default=State.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(db_index=True)
    first_attempt_at = models.DateTimeField(null=True, blank=True)
    last_attempt_at = models.DateTimeField(null=True, blank=True)
    response_status = models.PositiveSmallIntegerField(null=True, blank=True)
    error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    delivered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-pk"]
        constraints = [
            models.UniqueConstraint(fields=["endpoint", "event"], name="one_delivery_per_event")
        ]
        indexes = [models.Index(fields=["state", "next_attempt_at"])]

    def __str__(self):
        return f"{self.endpoint} {self.event_id}"
