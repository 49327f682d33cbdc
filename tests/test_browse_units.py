"""Browser-layer pieces that need no browser: host rules, browser discovery, choice planning, category mapping."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from cookieaudit.browse.chromium import BrowserPolicy, chromium_args, find_chromium, host_resolver_rules
from cookieaudit.browse.consent import to_cmp_categories, to_policy_category
from cookieaudit.errors import BrowserNotFound, ConfigError
from cookieaudit.expectations import load_expectations
from cookieaudit.observations import ConsentState
from cookieaudit.scan import plan_visits

S = ConsentState.from_dict   # a consent manager's reading, as read_state makes it

EXP = load_expectations(Path(__file__).resolve().parents[1] / "expectations" / "online-3d.yaml")


def test_resolve_rules_map_hosts_and_block_the_rest():
    loopback = ("MAP localhost ~NOTFOUND, MAP *.localhost ~NOTFOUND, MAP 127.* ~NOTFOUND, MAP 0.0.0.0 ~NOTFOUND, "
                "MAP [::1] ~NOTFOUND")
    rules = host_resolver_rules(["online-3d-printen.nl=127.0.0.1:8443", "www.clarity.ms=127.0.0.1:8443"])
    assert rules == (f"{loopback}, MAP online-3d-printen.nl 127.0.0.1:8443, MAP www.clarity.ms 127.0.0.1:8443, "
                     "MAP * ~NOTFOUND")
    assert host_resolver_rules(["*=10.0.0.5"]) == f"{loopback}, MAP * 10.0.0.5"
    assert host_resolver_rules([]) == loopback          # loopback is blocked for real sites too (issue 16)


def test_policy_flags_are_deliberate():
    args = chromium_args(BrowserPolicy(), "MAP * 127.0.0.1")
    assert "--disable-quic" in args and "--disable-blink-features=AutomationControlled" in args
    assert "--host-resolver-rules=MAP * 127.0.0.1" in args
    assert not any("ThirdPartyStoragePartitioning" in a for a in args)
    assert "--remote-debugging-pipe" in args and not any(a.startswith("--remote-debugging-port") for a in args)
    assert "--no-sandbox" not in args and "--no-sandbox" in chromium_args(BrowserPolicy(), None, sandbox=False)
    assert BrowserPolicy().describe()["third_party_cookies"] == "allowed"


def test_browser_flag_that_is_not_executable_is_a_clear_error(tmp_path):
    with pytest.raises(BrowserNotFound) as exc:
        find_chromium(str(tmp_path / "nope"))
    assert "--browser" in str(exc.value) and "fix:" in str(exc.value)


def test_env_variable_wins_over_defaults(monkeypatch, tmp_path):
    exe = tmp_path / "chrome"
    exe.write_text("#!/bin/sh\n")
    exe.chmod(0o755)
    monkeypatch.setenv("COOKIEAUDIT_CHROMIUM", str(exe))
    assert find_chromium() == str(exe)
    assert find_chromium(str(exe)) == str(exe)


def test_no_browser_anywhere_names_the_install_command(monkeypatch, tmp_path):
    monkeypatch.delenv("COOKIEAUDIT_CHROMIUM", raising=False)
    monkeypatch.setenv("PLAYWRIGHT_BROWSERS_PATH", str(tmp_path))
    monkeypatch.setenv("PATH", str(tmp_path))
    monkeypatch.setattr("cookieaudit.browse.chromium.DEBIAN_CHROMIUM", str(tmp_path / "missing"))
    with pytest.raises(BrowserNotFound) as exc:
        find_chromium()
    assert "apt-get install -y chromium" in str(exc.value)


def test_plan_visits_filters_and_rejects_unknowns():
    assert len(plan_visits(EXP, (), ())) == 5 * 7   # 6 choices + withdraw
    assert plan_visits(EXP, ("online-3d-printen.be",), ("reject-all",)) == [("online-3d-printen.be", "reject-all")]
    with pytest.raises(ConfigError):
        plan_visits(EXP, ("example.com",), ())
    with pytest.raises(ConfigError):
        plan_visits(EXP, (), ("accept-some",))


def test_cmp_category_mapping_uses_the_domain_table_then_synonyms():
    nl = EXP.domain("online-3d-printen.nl")
    assert to_policy_category(nl, "analytics") == "performance"
    assert to_policy_category(nl, "marketing") == "targeting"
    assert to_policy_category(nl, "necessary") == "necessary"
    assert to_cmp_categories(nl, {"performance"}, {"necessary", "analytics", "marketing"}) == ["analytics"]
    de = EXP.domain("online-3d-drucken.de")
    assert to_policy_category(de, "ads") == "targeting"


def test_category_mapping_precedence_domain_then_adapter_then_synonyms():
    from cookieaudit.browse.consent.adapter import CmpAdapter
    from cookieaudit.expectations import Domain

    tcfish = CmpAdapter(name="x", detect_js="", state_js="", apply_js=None,
                        category_map={"purpose-8": "performance", "statistics": "targeting"})
    plain = Domain(host="a.example", country="NL", locale="nl-NL", timezone="Europe/Amsterdam", pages=["/"], ref="t")
    assert to_policy_category(plain, "purpose-8", tcfish) == "performance"      # the adapter's own map
    assert to_policy_category(plain, "purpose-8") is None                       # unknown without it
    assert to_policy_category(plain, "statistics", tcfish) == "targeting"       # adapter map beats synonyms
    assert to_policy_category(plain, "statistics") == "performance"             # synonyms
    listed = Domain(host="a.example", country="NL", locale="nl-NL", timezone="Europe/Amsterdam", pages=["/"], ref="t",
                    cmp_categories={"functional": ["purpose-8", "purpose-11"], "performance": "statistics"})
    assert to_policy_category(listed, "purpose-8", tcfish) == "functional"      # the domain's list beats the adapter
    assert to_policy_category(listed, "purpose-11", tcfish) == "functional"
    assert to_policy_category(listed, "statistics", tcfish) == "performance"
    assert to_cmp_categories(listed, {"functional"}, {"purpose-8", "purpose-11", "purpose-1"}, tcfish) == [
        "purpose-11", "purpose-8"]


def test_all_or_nothing_state_covers_every_optional_category_and_records_the_mapping():
    from cookieaudit.browse.consent import _accepted, _represented, with_mapping

    nl = EXP.domain("online-3d-printen.nl")
    optional = {"performance", "functional", "targeting"}
    yes = ConsentState.from_dict({"decided": True, "categories": {"*": True}})
    no = ConsentState.from_dict({"decided": True, "categories": {"*": False}})
    assert _accepted(nl, yes, None, optional) == ("functional", "necessary", "performance", "targeting")
    assert _accepted(nl, no, None, optional) == ("necessary",)
    assert _accepted(nl, replace(no, decided=False), None, optional) == ()
    assert _represented(nl, no, None, optional) == optional
    rec = with_mapping(nl, ConsentState.from_dict({"decided": True, "categories": {"analytics": True, "zzz": False}}),
                       None)
    assert rec is not None and rec.mapped == {"analytics": "performance", "zzz": None}
    assert list(rec.to_dict()) == ["decided", "categories", "mapped", "mapping"]   # written after what was read


def test_text_patterns_cover_real_consent_manager_labels():
    import re

    from cookieaudit.browse.consent.heuristic import ACCEPT, REJECT, WITHDRAW

    def first(patterns, label):
        return next((p for p in patterns if re.search(rf"(?:^|[\W_]){p}\b", label, re.IGNORECASE)), None)

    # tarteaucitron's own labels (node_modules/tarteaucitronjs/lang), vanilla/klaro-style labels
    for label in ("Cookies : Verbiete alle Cookies", "✗ Weiger alle cookies", "Tout refuser", "Deny all cookies", "Alles weigeren",
                  "Alle ablehnen"):
        assert first(REJECT, label), label
    for label in ("Erlaube alle Cookies", "✓ Sta alle cookies toe", "Tout accepter", "Accept all", "Alle akzeptieren"):
        assert first(ACCEPT, label), label
    assert first(REJECT, "Ablehnen") and first(REJECT, "Cookies : Verbiete alle Cookies") != first(REJECT, "Ablehnen")
    assert first(WITHDRAW, "Cookie-Einstellungen") and first(WITHDRAW, "Cookie-instellingen")
    assert not first(REJECT, "Alles accepteren") and not first(ACCEPT, "Alles weigeren")


def test_a_decided_state_that_names_no_optional_category_proves_nothing():
    from cookieaudit.browse.consent import state_problems
    from cookieaudit.browse.consent.saas import ONETRUST

    nl = EXP.domain("online-3d-printen.nl")
    optional = {"performance", "functional", "targeting"}
    # OneTrust with an empty groups= and the alert box closed: a reject must not verify against nothing
    _, problems = state_problems(nl, S({"decided": True, "categories": {}}), set(), optional, ONETRUST, "onetrust")
    assert problems and "names none of the policy's optional categories" in problems[0]
    ok = S({"decided": True, "categories": {"C0001": True, "C0002": False, "C0003": False, "C0004": False}})
    assert state_problems(nl, ok, set(), optional, ONETRUST, "onetrust")[1] == []
    # a custom group left on after "reject all" is reported even though no policy category covers it
    _, problems = state_problems(nl, replace(ok, categories={**ok.categories, "C0009": True}), set(), optional,
                                 ONETRUST, "onetrust")
    assert problems == ["after the refusal the manager still grants ['C0009'], which no policy category covers"]
    assert state_problems(nl, None, set(), optional, ONETRUST, "onetrust")[1] == [
        "no consent state could be read back from the page"]
    assert "reports no stored decision" in state_problems(nl, replace(ok, decided=False), set(), optional, ONETRUST,
                                                          "onetrust")[1][0]


def test_is_refusal_needs_a_decided_state_granting_only_the_necessary_group():
    from cookieaudit.browse.consent import _is_refusal

    assert _is_refusal(S({"decided": True, "categories": {"necessary": True, "analytics": False}}))
    assert not _is_refusal(S({"decided": True, "categories": {"necessary": True, "analytics": True}}))
    assert not _is_refusal(S({"decided": False, "categories": {}}))
    assert not _is_refusal(None)
    assert not _is_refusal(S({"decided": True, "categories": {"C0004": True}}))   # unknown names count as granted
