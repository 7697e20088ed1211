"""``rules.OneOf``: at least one alternative met, each alternative a set of requirements met
when all its members are; generic (plain objects and ``Satisfies`` requirements here)."""

from types import SimpleNamespace

import pytest
from django.core.exceptions import ValidationError

from workflows import rules


def has(name):
    return rules.Satisfies(lambda obj: name in obj.papers, f"{name} missing")


ONE_OF = rules.OneOf(
    alternatives=[
        rules.Alternative("consent", has("consent")),
        rules.Alternative("qualification and use", has("qualification"), has("use")),
    ],
    message="Give the consent, or the qualification and the use.",
    when=lambda obj: obj.flagged,
    title=lambda obj: f"Conditions for {obj.name}",
)


def filing(*papers, flagged=True):
    return SimpleNamespace(papers=set(papers), flagged=flagged, name="X")


@pytest.mark.parametrize(
    ("papers", "given"),
    [
        (("consent",), "consent"),
        (("qualification", "use"), "qualification and use"),
        (("consent", "qualification", "use"), "consent"),  # the first met is the one given
    ],
)
def test_any_alternative_met_satisfies_it(papers, given):
    obj = filing(*papers)
    rules.check([ONE_OF], obj)
    assert ONE_OF.given(obj).label == given
    assert ONE_OF.summary(obj) == [("Conditions for X", f"alternative given: {given}")]


@pytest.mark.parametrize("papers", [(), ("qualification",), ("use",)])
def test_none_met_or_one_half_met_is_refused_with_its_message(papers):
    obj = filing(*papers)
    with pytest.raises(ValidationError) as refused:
        rules.check([ONE_OF], obj)
    assert refused.value.message_dict == {
        "__all__": ["Give the consent, or the qualification and the use."]
    }
    assert ONE_OF.given(obj) is None
    assert ONE_OF.summary(obj) == [("Conditions for X", "no alternative given")]


def test_it_does_not_apply_when_its_condition_does_not_hold():
    obj = filing(flagged=False)
    rules.check([ONE_OF], obj)
    assert ONE_OF.summary(obj) == []


def test_a_field_keys_the_message_and_an_empty_list_is_a_mistake():
    keyed = rules.OneOf(alternatives=[rules.Alternative("a", has("a"))], message="m", field="f")
    with pytest.raises(ValidationError) as refused:
        rules.check([keyed], filing())
    assert refused.value.message_dict == {"f": ["m"]}
    with pytest.raises(ValueError):
        rules.OneOf(alternatives=[], message="m")


def test_summaries_join_the_texts_under_one_title():
    class Stated(rules.Rule):
        def __init__(self, text):
            self.text = text

        def summary(self, obj):
            return [("Conditions for X", self.text)]

    obj = filing("consent")
    assert rules.summaries([Stated("proof attached"), ONE_OF, rules.AtLeastOneLine()], obj) == [
        ("Conditions for X", "proof attached; alternative given: consent")
    ]
