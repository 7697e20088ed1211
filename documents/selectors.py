"""Every read of notices, certificates and jobs that depends on who is asking."""

from django.db.models import Q, QuerySet

from filings.selectors import authority_id_for, filer_membership

from .models import Certificate, DocumentJob, Notice


def certificates_for_authority(user, system: str) -> QuerySet[Certificate]:
    """The certificates of one system the user's authority issued or imported."""
    authority_id = authority_id_for(user, system)
    if authority_id is None:
        return Certificate.objects.none()
    return Certificate.objects.filter(authority_id=authority_id, system=system)


def certificates_for_filer(user, system: str) -> QuerySet[Certificate]:
    """The certificates an enterprise holds: issued on its filings or imported in its name."""
    membership = filer_membership(user, system)
    if membership is None:
        return Certificate.objects.none()
    enterprise = membership.enterprise
    return Certificate.objects.filter(system=system).filter(
        Q(filing__enterprise_id=enterprise.pk) | Q(holder_uscc=enterprise.uscc)
    )


def notices_for_authority(user, system: str) -> QuerySet[Notice]:
    authority_id = authority_id_for(user, system)
    if authority_id is None:
        return Notice.objects.none()
    return Notice.objects.filter(authority_id=authority_id, filing__system=system)


def notices_of(filing) -> QuerySet[Notice]:
    """The notices of a filing the caller already scoped to the user through a selector."""
    return Notice.objects.filter(filing_id=filing.pk)


def notices_for_filings(filing_ids) -> QuerySet[Notice]:
    """The notices of filings the caller already scoped to the user (one query for a page)."""
    return (
        Notice.objects.filter(filing_id__in=list(filing_ids))
        .select_related("filing")
        .order_by("created_at", "pk")
    )


def jobs_of(user) -> QuerySet[DocumentJob]:
    return DocumentJob.objects.filter(owner_id=user.pk)
