"""The submitted versions of a versioned record (the export drug archive's 变更).

A version is what a submission recorded: the audit row of each submit holds the
Wagtail revision of the record as submitted.  The record itself was scoped by a
selector before it reaches here; a revision id outside its versions is a 404, so a
change's draft revision is never readable through these.
"""

from dataclasses import dataclass

from django.http import Http404

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
    return [Version(n, entry) for n, entry in enumerate(entries, start=1)]


def submitted_version(filing, revision_id) -> Version:
    """One submitted version by its revision id; anything else is a 404."""
    for version in submitted_versions(filing):
        if str(version.revision_id) == str(revision_id):
            return version
    raise Http404
