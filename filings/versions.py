"""The submitted versions of a versioned record (the export drug archive's 变更).

A version is what a submission recorded: the audit row of each submit holds the
Wagtail revision of the record as submitted.  The record itself was scoped by a
selector before it reaches here; a revision id outside its versions is a 404, so a
change's draft revision is never readable through these.
"""

from dataclasses import dataclass

from django.http import Http404

from .compare import compare
from .models import AuditEntry


@dataclass
class Version:
    number: int  # 1 for the first submission
    entry: AuditEntry

    @property
    def revision_id(self) -> int:
        return self.entry.revision_id

    @property
    def submitted_at(self):
        return self.entry.created_at

    @property
    def submitted_by(self) -> str:
        return self.entry.actor_name

    def as_object(self):
        return self.entry.revision.as_object()


def submitted_versions(filing) -> list[Version]:
    """Every submitted version of ``filing``, oldest first."""
    entries = (
        AuditEntry.objects.for_object(filing)
        .exclude(revision=None)
        .select_related("actor", "revision")
    )
    # A revision deleted since (no constraint holds it) is no version to show.
    kept = [entry for entry in entries if entry.revision_or_none is not None]
    return [Version(n, entry) for n, entry in enumerate(kept, start=1)]


def pick(found: list[Version], revision_id) -> Version:
    """One of ``found`` by its revision id; anything else (a draft's revision, another
    record's, garbage from a query string) is a 404."""
    for version in found:
        if str(version.revision_id) == str(revision_id):
            return version
    raise Http404


def comparison(found: list[Version], params, columns):
    """Two of ``found`` (``from``, ``to`` in ``params``; default the last two) and what
    changed between them, field by field; (None, None, None) while there is one."""
    if len(found) < 2:
        return None, None, None
    before = pick(found, params.get("from") or found[-2].revision_id)
    after = pick(found, params.get("to") or found[-1].revision_id)
    return before, after, compare(before.as_object(), after.as_object(), columns=columns)
