"""How tests set up each registered system: its authority, its approvers, a draft, and a
filing taken through to approval.  Tests generated from the registry (the matrix, the
lists) ask here; a new system adds its scenario and is covered."""

from dataclasses import dataclass

from portal.reference.models import Authority, Module

from . import auto_licence_helpers as licence
from . import av_import_helpers as av
from . import drug_permit_helpers as drug
from .conftest import make_chain
from .export_drug_archives import helpers as archive


@dataclass(frozen=True)
class Scenario:
    authority: object  # () -> the authority filings go to
    chains: object  # () -> {level: user, ..., "other-l1": a level-1 seat elsewhere}
    draft: object  # (owner, authority) -> a draft
    approved: object  # (owner, chains, authority) -> a filing with its certificate


def _drug_chains():
    seats = make_chain(Authority.objects.get(code="DA-110000"), "bj")
    seats["other-l1"] = make_chain(Authority.objects.get(code="DA-310000"), "sh")[1]
    return seats


def _av_approved(owner, chains, authority):
    filing = av.complete_draft(owner, authority)
    av.services.submit(filing=filing, actor=owner, second_factor_verified=True)
    av.services.decide(filing=filing, actor=chains[1], decision="approve")
    filing.refresh_from_db()
    return filing


def _archive_chains():
    # Nobody approves an archive record; a seat elsewhere must still never act on it.
    return {"other-l1": make_chain(Authority.objects.get(code="DA-310000"), "sh")[1]}


SCENARIOS = {
    Module.DRUG_PERMIT: Scenario(
        authority=lambda: Authority.objects.get(code="DA-110000"),
        chains=_drug_chains,
        draft=drug.draft,
        approved=drug.decide_all,
    ),
    Module.AV_IMPORT: Scenario(
        authority=av.office,
        chains=av.chains,
        draft=av.draft,
        approved=_av_approved,
    ),
    Module.AUTO_IMPORT_LICENCE: Scenario(
        authority=licence.bureau,
        chains=licence.chains,
        draft=licence.draft,
        approved=licence.issued,
    ),
    Module.EXPORT_DRUG_ARCHIVE: Scenario(
        authority=lambda: None,
        chains=_archive_chains,
        draft=lambda owner, authority: archive.draft(owner),
        approved=lambda owner, chains, authority: archive.submitted_by_complete(owner),
    ),
}
