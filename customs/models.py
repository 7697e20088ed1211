"""The customs exchange: the outbox, what customs sent back, write-offs, imports."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from portal.reference.models import Module


class MessageKind(models.TextChoices):
    ISSUE = "ISSUE", _("Issue")
    CORRECT = "CORRECT", _("Correction")
    VOID = "VOID", _("Void")


class OutboundMessage(models.Model):
    """One certificate message to customs, written in the transaction that decided it.

    The table is the queue: the outbox worker claims due rows, POSTs them with
    the message id as idempotency key and retries with backoff, so a crash at
    any point neither loses nor duplicates a certificate.
    """

    class State(models.TextChoices):
        PENDING = "PENDING", _("Waiting to be delivered")
        DELIVERED = "DELIVERED", _("Delivered")
        FAILED = "FAILED", _("Delivery failed")
        DEAD = "DEAD", _("Dead letter: retries gave up")

    message_id = models.CharField(max_length=32, unique=True)
    certificate = models.ForeignKey(
        "documents.Certificate", on_delete=models.PROTECT, related_name="customs_messages"
    )
    kind = models.CharField(_("message"), max_length=10, choices=MessageKind.choices)
    revision = models.PositiveSmallIntegerField(default=1)
    body = models.TextField()
    state = models.CharField(max_length=10, choices=State.choices, default=State.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(db_index=True)
    first_attempt_at = models.DateTimeField(null=True, blank=True)
    last_attempt_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    receipt_result = models.CharField(max_length=10, blank=True)
    receipt_reason = models.TextField(blank=True)
    receipt_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "pk"]
        indexes = [models.Index(fields=["state", "next_attempt_at"])]

    def __str__(self):
        return f"{self.kind} {self.certificate_id} {self.message_id}"


class InboundMessage(models.Model):
    """Every message customs sent us, once: a repeat is recognised by its id."""

    message_id = models.CharField(max_length=32, unique=True)
    kind = models.CharField(max_length=20)
    body = models.TextField()
    outcome = models.TextField(blank=True)
    received_at = models.DateTimeField(auto_now_add=True)

    def __str__(self):
        return f"{self.kind} {self.message_id}"


class WriteOff(models.Model):
    """核销: a quantity customs declared against one certificate line.

    Keyed by the document it concerns as well as the declaration and line: one
    declaration line may write off a drug permit and an import licence at once.
    """

    certificate = models.ForeignKey(
        "documents.Certificate", on_delete=models.PROTECT, related_name="write_offs"
    )
    line = models.ForeignKey(
        "documents.CertificateLine", on_delete=models.PROTECT, related_name="write_offs"
    )
    declaration_number = models.CharField(_("declaration number"), max_length=18, db_index=True)
    # The goods item of the declaration (报关单商品项号) the quantity was declared on.
    declaration_item = models.PositiveSmallIntegerField(_("declaration item"), null=True)
    declaration_date = models.DateField(_("declaration date"))
    port_code = models.CharField(_("port"), max_length=4)
    quantity = models.DecimalField(_("quantity written off"), max_digits=14, decimal_places=3)
    # Beyond what remained: recorded as customs reported it, and flagged for the authority.
    exceeds_remainder = models.BooleanField(_("exceeds the remainder"), default=False)
    # One declaration too many for the document (a one-batch licence is declared once).
    exceeds_uses = models.BooleanField(_("one use too many"), default=False)
    # Declared after the document's validity ended.
    after_validity = models.BooleanField(_("after the validity"), default=False)
    message_id = models.CharField(max_length=32)
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-declaration_date", "-pk"]
        indexes = [models.Index(fields=["certificate", "-declaration_date", "-id"])]
        constraints = [
            models.UniqueConstraint(
                fields=["certificate", "declaration_number", "line"],
                name="one_write_off_per_document_declaration_line",
            )
        ]

    def __str__(self):
        return f"{self.declaration_number} {self.line}"

    @property
    def problems(self) -> list[str]:
        """What the authority and the enterprise are warned of on this write-off."""
        found = []
        if self.exceeds_remainder:
            found.append(_("Beyond the remainder"))
        if self.exceeds_uses:
            found.append(_("One use too many"))
        if self.after_validity:
            found.append(_("After the validity"))
        return found


class ImportBatch(models.Model):
    """准许证导入: one uploaded XML file of certificates from an authority's own system."""

    class State(models.TextChoices):
        QUEUED = "QUEUED", _("Queued")
        RUNNING = "RUNNING", _("Checking")
        DONE = "DONE", _("Checked")
        FAILED = "FAILED", _("Failed")

    authority = models.ForeignKey("reference.Authority", on_delete=models.PROTECT, related_name="+")
    system = models.CharField(max_length=30, choices=Module.choices)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    file = models.FileField(upload_to="customs-imports/%Y/%m/")
    original_name = models.CharField(_("file name"), max_length=255)
    size = models.PositiveBigIntegerField(default=0)
    state = models.CharField(max_length=10, choices=State.choices, default=State.QUEUED)
    done = models.PositiveIntegerField(_("records read"), default=0)
    bytes_read = models.PositiveBigIntegerField(default=0)
    valid_count = models.PositiveIntegerField(_("valid"), default=0)
    invalid_count = models.PositiveIntegerField(_("invalid"), default=0)
    error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self):
        return self.original_name

    @property
    def percent(self) -> int:
        if self.state in (self.State.DONE, self.State.FAILED):
            return 100
        return int(self.bytes_read * 100 / self.size) if self.size else 0


class ImportRecord(models.Model):
    """One <Certificate> of a batch: valid (pending until sent) or invalid with the reason."""

    batch = models.ForeignKey(ImportBatch, on_delete=models.CASCADE, related_name="records")
    position = models.PositiveIntegerField(_("record"))
    source_line = models.PositiveIntegerField(_("line in the file"))
    number = models.CharField(_("certificate number"), max_length=64, blank=True)
    holder_name = models.CharField(_("holder"), max_length=200, blank=True)
    valid = models.BooleanField(default=False)
    errors = models.TextField(_("errors"), blank=True)
    data = models.JSONField(default=dict)
    certificate = models.OneToOneField(
        "documents.Certificate",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="import_record",
    )

    class Meta:
        ordering = ["batch", "position"]

    def __str__(self):
        return f"{self.batch} #{self.position}"


class CustomsConflict(models.Model):
    """Customs data that disagrees with what was recorded: kept open until an approver decides.

    A write-off with a new message id for an already recorded declaration and line but
    other values, or a receipt contradicting an earlier receipt of the same message.
    """

    class Kind(models.TextChoices):
        WRITE_OFF = "WRITE_OFF", _("Write-off")
        RECEIPT = "RECEIPT", _("Receipt")

    class State(models.TextChoices):
        OPEN = "OPEN", _("Open")
        KEPT = "KEPT", _("Recorded data kept")
        REPLACED = "REPLACED", _("Replaced by the incoming data")

    certificate = models.ForeignKey(
        "documents.Certificate", on_delete=models.PROTECT, related_name="customs_conflicts"
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    message_id = models.CharField(max_length=32)
    # The write-off (or outbound message) the incoming data disagrees with.
    write_off = models.ForeignKey(
        WriteOff, on_delete=models.PROTECT, null=True, blank=True, related_name="conflicts"
    )
    outbound = models.ForeignKey(
        OutboundMessage, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    recorded = models.JSONField(_("recorded"), default=dict)
    incoming = models.JSONField(_("incoming"), default=dict)
    state = models.CharField(max_length=10, choices=State.choices, default=State.OPEN)
    reason = models.TextField(_("reason"), blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    resolved_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["certificate", "state"])]

    def __str__(self):
        return f"{self.kind} {self.certificate_id} {self.message_id}"

    @property
    def is_open(self) -> bool:
        return self.state == self.State.OPEN

    # What the recorded and incoming values are called on the pages (keys of the JSON).
    VALUE_LABELS = {
        "declaration_number": _("Declaration number"),
        "line_number": _("Line"),
        "declaration_item": _("Declaration item"),
        "quantity": _("Quantity"),
        "declaration_date": _("Declaration date"),
        "port_code": _("Port"),
        "message_id": _("Message ID"),
        "in_reply_to": _("In reply to"),
        "system": _("System"),
        "number": _("Number"),
        "result": _("Result"),
        "reason": _("Reason"),
    }

    def _labelled(self, values: dict) -> list[tuple[str, object]]:
        return [(str(self.VALUE_LABELS.get(key, key)), value) for key, value in values.items()]

    @property
    def recorded_rows(self):
        return self._labelled(self.recorded)

    @property
    def incoming_rows(self):
        return self._labelled(self.incoming)
