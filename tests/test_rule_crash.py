"""A crashing rule does not stop the audit: the other rules' findings stay, the run says which rule is missing."""

from __future__ import annotations

from cookieaudit.errors import EXIT_INCOMPLETE
from cookieaudit.rules import RULES, evaluate
from cookieaudit.finish import build_run_document
from test_rules_support import expectations, kb, observations


def _boom(ctx, out):
    raise RuntimeError("planted failure")


def test_a_crashing_rule_becomes_an_error_result(monkeypatch):
    obs = observations()
    exp = expectations()
    before = evaluate(obs, exp, kb())
    victim = next(m for m in RULES if m.META.id == "category-violation")
    assert any(f.rule == victim.META.id for f in before)          # it does report something when it works
    monkeypatch.setattr(victim, "check", _boom)

    errors: list[dict] = []
    after = evaluate(obs, exp, kb(), errors=errors)
    assert errors == [{"rule": "category-violation", "error": "RuntimeError: planted failure"}]
    assert {f.id for f in after} == {f.id for f in before if f.rule != "category-violation"}

    visits = [(o.domain, o.choice) for o in obs]
    doc = build_run_document(exp, {"id": "test"}, visits, {(o.domain, o.choice): o for o in obs}, [], "high")
    assert doc.status == "incomplete" and doc.summary.exit_code == EXIT_INCOMPLETE
    assert doc.rule_errors[0].rule == "category-violation"
    assert any("category-violation crashed" in m for m in doc.missing)
    assert doc.findings, "the other rules' findings are kept"
    assert doc.to_dict()["rule_errors"] == errors                  # written as findings.json has it
    from cookieaudit.gate import apply_gates

    gated = apply_gates(doc)          # the gates recompute the summary: the crash must still count
    assert gated.status == "incomplete" and gated.summary.exit_code == EXIT_INCOMPLETE


def test_without_an_error_list_the_exception_propagates(monkeypatch):
    victim = next(m for m in RULES if m.META.id == "category-violation")
    monkeypatch.setattr(victim, "check", _boom)
    try:
        evaluate(observations(), expectations(), kb())
    except RuntimeError as exc:
        assert "planted failure" in str(exc)
    else:
        raise AssertionError("the crash was swallowed without being reported")
