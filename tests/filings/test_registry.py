"""The declaration covers the four shapes of approval the systems need."""

import pytest

from filings.registry import Stage, System, all_systems, by_admin_slug, get


def declaring(*stages):
    return type("Toy", (System,), {"key": "TOY", "stages": stages})()


DRUG = declaring(
    Stage(1, "PENDING_ACCEPTANCE", "受理"),
    Stage(2, "FIRST_REVIEW", "初审", optional=True),
    Stage(3, "SECOND_REVIEW", "复审", optional=True),
    Stage(4, "FINAL_DECISION", "审定"),
)
AV_IMPORT = declaring(Stage(1, "PENDING_REVIEW", "审核"))
AUTO_LICENCE = declaring(Stage(1, "FIRST_REVIEW", "初审"), Stage(2, "SECOND_REVIEW", "复审"))
ARCHIVE = declaring()


@pytest.mark.parametrize(
    ("system", "chosen", "enabled", "path"),
    [
        # levels 1-4, 2 and 3 optional, chosen by each authority
        (DRUG, [2, 3], [1, 2, 3, 4], ["FIRST_REVIEW", "SECOND_REVIEW", "FINAL_DECISION"]),
        (DRUG, [3], [1, 3, 4], ["SECOND_REVIEW", "FINAL_DECISION"]),
        (DRUG, [], [1, 4], ["FINAL_DECISION"]),
        # one level
        (AV_IMPORT, [], [1], []),
        # first and second review, both always
        (AUTO_LICENCE, [], [1, 2], ["SECOND_REVIEW"]),
        # none: filed and changed, read by regulators
        (ARCHIVE, [], [], []),
    ],
)
def test_four_shapes_of_approval(system, chosen, enabled, path):
    assert system.enabled_levels(chosen) == enabled
    walked, level = [], enabled[0] if enabled else None
    while level is not None:
        following = system.next_state(after_level=level, enabled=enabled)
        if following is None:
            break
        walked.append(following)
        level = system.stage_for_state(following).level
    assert walked == path


@pytest.mark.django_db
def test_the_drug_permit_is_registered_and_found_by_its_names():
    system = get("DRUG_PERMIT")
    assert system in all_systems() and by_admin_slug("drug-permit") is system
    assert system.queue_states(1) == ["PENDING_ACCEPTANCE", "REFUSED_PENDING_NOTICE"]
    assert system.queue_states(1, "withdrawals") == ["WITHDRAWAL_PENDING"]
    assert system.queue_states(2) == ["FIRST_REVIEW", "REFUSED_PENDING_NOTICE"]
    assert system.queue_states(4) == ["FINAL_DECISION"]
    assert [t.name for t in system.decisions][:3] == ["accept", "not_accept", "request_supplement"]
    with pytest.raises(LookupError):
        get("NO_SUCH_SYSTEM")
