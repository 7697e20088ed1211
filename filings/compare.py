"""What changed between two revisions of a filing or a certificate, field by field.

Both sides are objects rebuilt from Wagtail revisions (``revision.as_object()``,
lines and attachments included, since they are ParentalKey children); the
declared columns say which values count and what they are called, so the
comparison reads the same as the pages.
"""

from dataclasses import dataclass, field

from django.utils.translation import gettext_lazy as _

from portal.languages import localized_name


@dataclass
class Change:
    label: str
    before: str
    after: str


@dataclass
class LineChange:
    number: int
    kind: str  # "added", "removed" or "changed"
    changes: list[Change] = field(default_factory=list)

    @property
    def kind_label(self) -> str:
        return str(
            {"added": _("added"), "removed": _("removed"), "changed": _("changed")}[self.kind]
        )


@dataclass
class Comparison:
    fields: list[Change]
    lines: list[LineChange]
    attachments: list[Change]

    @property
    def has_changes(self) -> bool:
        return bool(self.fields or self.lines or self.attachments)


def _text(value) -> str:
    if value is None:
        return ""
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)


def _changes(columns, a, b) -> list[Change]:
    changes = []
    for column in columns:
        before, after = _text(column.of(a)), _text(column.of(b))
        if before != after:
            changes.append(Change(str(column.label), before, after))
    return changes


def compare(a, b, *, columns, line_columns=(), lines_of=None) -> Comparison:
    """Compare ``a`` (before) with ``b`` (after)."""
    fields = _changes(columns, a, b)
    lines = []
    if lines_of is not None:
        before = {line.line_number: line for line in lines_of(a)}
        after = {line.line_number: line for line in lines_of(b)}
        for number in sorted(set(before) | set(after)):
            old, new = before.get(number), after.get(number)
            if old is None:
                shown = [Change(str(c.label), "", _text(c.of(new))) for c in line_columns]
                lines.append(LineChange(number, "added", shown))
            elif new is None:
                shown = [Change(str(c.label), _text(c.of(old)), "") for c in line_columns]
                lines.append(LineChange(number, "removed", shown))
            else:
                changed = _changes(line_columns, old, new)
                if changed:
                    lines.append(LineChange(number, "changed", changed))
    attachments = []
    if hasattr(a, "attachments") and hasattr(b, "attachments"):
        old = {_attachment_key(x) for x in a.attachments.all()}
        new = {_attachment_key(x) for x in b.attachments.all()}
        attachments = [Change(kind, name, "") for kind, name in sorted(old - new)] + [
            Change(kind, "", name) for kind, name in sorted(new - old)
        ]
    return Comparison(fields, lines, attachments)


def _attachment_key(attachment) -> tuple[str, str]:
    kind = localized_name(attachment.attachment_type) if attachment.attachment_type_id else ""
    return (kind, f"{attachment.original_name} ({attachment.file.name.rsplit('/', 1)[-1]})")
