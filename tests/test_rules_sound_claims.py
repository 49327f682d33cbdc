"""Sound claims: no rule ever reports on a consent choice that was not performed.

The stored fixtures contain violations in every window (tracking after reject, category leaks, tracking after
withdrawal). Re-labelled as ``not-performed``, the same observations may still yield what was seen *before* the
consent moment, but nothing that presupposes the choice — checked rule by rule.
"""

from __future__ import annotations

import dataclasses

import pytest

from cookieaudit.rules import RULES
from cookieaudit.rules.context import WINDOW_NO_CHOICE
from test_rules_support import observations, run

CHOICE_WINDOWS = ("after-choice", "after-withdraw")
# rules whose very statement is about what a choice caused
PRESUPPOSE_A_CHOICE = {"category-violation", "tracking-after-reject", "tracking-after-withdraw", "consent-not-persisted",
                       "consent-signal-mismatch", "consent-mode-cookieless-ping"}


def _not_performed(obs_list):
    out = []
    for o in obs_list:
        if o.choice == "no-interaction":
            out.append(o)
            continue
        c = dataclasses.replace(o.consent, outcome="not-performed", accepted_categories=None, state=None,
                                reason="test: no driver could perform this choice", granted_categories=None)
        out.append(dataclasses.replace(o, consent=c))
    return out


@pytest.fixture(scope="module")
def performed():
    return observations()


@pytest.fixture(scope="module")
def unperformed(performed):
    return _not_performed(performed)


def test_the_fixtures_do_contain_choice_dependent_violations(performed):
    # otherwise the rule-by-rule test below could not fail
    rules = {f.rule for f in run(performed) if f.choice != "no-interaction"
             and f.details.get("window") in CHOICE_WINDOWS}
    assert {"category-violation", "tracking-after-reject", "tracking-after-withdraw"} <= rules, rules


def test_rules_that_presuppose_a_choice_say_so():
    flagged = {m.META.id for m in RULES if m.META.needs_choice}
    assert PRESUPPOSE_A_CHOICE <= flagged, PRESUPPOSE_A_CHOICE - flagged


@pytest.mark.parametrize("rule", [m.META.id for m in RULES])
def test_no_rule_claims_a_choice_that_was_not_performed(rule, unperformed):
    findings = run(unperformed, rules=[rule])
    meta = next(m.META for m in RULES if m.META.id == rule)
    for f in findings:
        if f.choice == "no-interaction":
            continue
        assert not meta.needs_choice, f"{rule} reported on the not-performed {f.choice}: {f.message}"
        assert f.details.get("window") not in CHOICE_WINDOWS, f"{rule}: {f.message}"
        assert f.details.get("consent_verified") is not True


def test_what_was_seen_before_the_consent_moment_stays_reported(performed, unperformed):
    # a not-performed visit is not a clean bill: its pre-consent facts are still findings
    before = {(f.domain, f.rule) for f in run(performed, rules=["pre-consent-tracking"])}
    after = {(f.domain, f.rule) for f in run(unperformed, rules=["pre-consent-tracking"])}
    assert before and before <= after


def test_after_a_not_performed_choice_nothing_counts_as_consented(unperformed):
    from cookieaudit.expectations import load_expectations
    from cookieaudit.kb import load_kb
    from cookieaudit.rules.context import Context
    from test_rules_support import EXPECTATIONS

    ctx = Context(unperformed, load_expectations(EXPECTATIONS), load_kb())
    later = [i for r in ctx.visits if r.choice != "no-interaction" for i in r.items if i.phase != "before-consent"]
    assert later and all(i.window == WINDOW_NO_CHOICE and i.permitted == {"necessary"} for i in later)
