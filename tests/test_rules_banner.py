"""The banner-judging rules on recorded observations (no browser): each rule fires on its planted lab banner and
nowhere else, and the variants that decide a rule's edges are built by changing the stored JSON."""

from __future__ import annotations

import copy
import functools
import json
from pathlib import Path
from typing import Any

import pytest

from cookieaudit.expectations import load_expectations
from cookieaudit.findings import Finding
from cookieaudit.observations import BannerControl, Observation
from cookieaudit.rules import catalogue, evaluate
from cookieaudit.rules.banner_reject_less_prominent import criteria
from test_rules_support import kb

TESTS = Path(__file__).parent
LAB_DIR = TESTS / "data" / "observations" / "banner-lab"
SHOPS_DIR = TESTS / "data" / "observations" / "banner-shops"
LAB_EXP = load_expectations(TESTS / "data" / "expectations-lab.yaml")
SHOPS_EXP = load_expectations(TESTS.parent / "expectations" / "online-3d.yaml")
BANNER_RULES = ("banner-no-reject-first-layer", "banner-reject-less-prominent", "banner-pre-ticked", "cookie-wall",
                "consent-by-scrolling", "consent-not-persisted")
PLANTED = {
    "noreject.o3d-lab.nl": {"banner-no-reject-first-layer"},
    "tinyreject.o3d-lab.nl": {"banner-reject-less-prominent"},
    "preticked.o3d-lab.nl": {"banner-pre-ticked"},
    "wall.o3d-lab.nl": {"cookie-wall"},
    "scroll.o3d-lab.nl": {"consent-by-scrolling"},
    "forget.o3d-lab.nl": {"consent-not-persisted"},
}


@functools.lru_cache(maxsize=None)
def _raw(folder: str, domain: str, choice: str) -> dict[str, Any]:
    return json.loads((Path(folder) / domain / f"{choice}.json").read_text(encoding="utf-8"))


def raw(domain: str, choice: str, folder: Path = LAB_DIR) -> dict[str, Any]:
    return copy.deepcopy(_raw(str(folder), domain, choice))


def lab(domain: str, *choices: str) -> list[Observation]:
    return [Observation.from_dict(raw(domain, c)) for c in choices]


def judge(observations: list[Observation], exp=LAB_EXP) -> list[Finding]:
    paths = {(o.domain, o.choice): f"observations/{o.domain}/{o.choice}.json" for o in observations}
    return [f for f in evaluate(observations, exp, kb(), paths, rules=BANNER_RULES)]


def all_lab() -> list[Observation]:
    return [Observation.from_dict(json.loads(p.read_text(encoding="utf-8"))) for p in sorted(LAB_DIR.glob("*/*.json"))]


# --- the lab as recorded: every planted banner gives exactly its finding ------------------------------------------
def test_each_planted_banner_gives_exactly_its_finding_and_the_others_none():
    found: dict[str, set[str]] = {}
    for f in judge(all_lab()):
        found.setdefault(f.domain, set()).add(f.rule)
    assert found == PLANTED


def test_real_consent_managers_give_no_banner_finding():
    obs = [Observation.from_dict(json.loads(p.read_text(encoding="utf-8"))) for p in sorted(SHOPS_DIR.glob("*/*.json"))]
    assert {o.domain for o in obs} == {d.host for d in SHOPS_EXP.domains}
    assert judge(obs, SHOPS_EXP) == []


def test_findings_carry_the_banner_screenshot_and_a_resolvable_pointer():
    obs = {(o.domain, o.choice): o for o in all_lab()}
    for f in judge(list(obs.values())):
        pointer = next(e.pointer for e in f.evidence if e.observation)
        node: Any = obs[(f.domain, f.choice)].to_dict()
        for part in pointer.strip("/").split("/"):
            node = node[int(part)] if isinstance(node, list) else node[part]
        assert node, (f.rule, pointer)
        shots = [e.screenshot for e in f.evidence if e.screenshot]
        assert shots and shots[0].startswith(f"evidence/{f.domain}/{f.choice}/"), f.rule
        assert f.message and f.message_nl and f.subject["kind"] == "banner"


def test_rule_metadata_is_bilingual_with_legal_basis():
    cat = catalogue()
    for rid in BANNER_RULES:
        meta = cat[rid]
        assert meta["title"]["en"] and meta["title"]["nl"] and meta["explanation"]["nl"]
        assert meta["legal_basis"] and meta["jurisdictions"] == ["EU"]
    assert "50%" in cat["banner-reject-less-prominent"]["explanation"]["en"]
    assert "3.0:1" in cat["banner-reject-less-prominent"]["explanation"]["en"]


# --- banner-no-reject-first-layer ---------------------------------------------------------------------------------
def test_no_reject_first_layer_reports_the_route_through_settings():
    [f] = judge(lab("noreject.o3d-lab.nl", "no-interaction", "reject-all"))
    assert f.rule == "banner-no-reject-first-layer" and f.severity == "high" and f.choice == "no-interaction"
    assert f.details["accept"] == "Alles accepteren" and f.details["settings"] == "Instellingen"
    route = f.details["reject_all_run"]
    assert route["outcome"] == "verified" and route["via_settings"] and route["clicks"] == 2
    assert "2 clicks" in f.message and "2 klikken" in f.message_nl


def test_no_reject_negative_on_the_fair_banner():
    assert judge(lab("fair.o3d-lab.nl", "no-interaction", "reject-all")) == []


def test_no_reject_mentions_a_reject_outside_the_banner():
    d = raw("noreject.o3d-lab.nl", "no-interaction")
    d["banner"]["reject_elsewhere"] = {**d["banner"]["accept"], "text": "Weigeren", "in_banner": False}
    [f] = judge([Observation.from_dict(d)])
    assert f.details["reject_elsewhere"] == "Weigeren" and "outside the banner" in f.message


def test_no_reject_trusts_a_direct_reject_click_over_the_measurement():
    """The reject-all visit clicked a reject button right away: the first layer had one after all."""
    r = raw("fair.o3d-lab.nl", "reject-all")
    r["domain"] = "noreject.o3d-lab.nl"
    assert any(s["detail"].startswith("clicked reject button") for s in r["consent"]["steps"])
    assert judge([lab("noreject.o3d-lab.nl", "no-interaction")[0], Observation.from_dict(r)]) == []


# --- banner-reject-less-prominent ---------------------------------------------------------------------------------
def test_tiny_reject_fails_every_criterion():
    [f] = judge(lab("tinyreject.o3d-lab.nl", "no-interaction"))
    assert f.rule == "banner-reject-less-prominent" and f.severity == "medium"
    assert {c["id"] for c in f.details["failed"]} == {"area", "font-size", "contrast", "bare-text"}
    assert f.details["reject"]["tag"] == "a" and f.details["reject"]["text_contrast"] < 3
    assert "tekstcontrast 1,66:1" in f.message_nl


BUTTON = {"tag": "button", "area": 6000.0, "font_size": 15, "text_contrast": 5.6, "filled": True, "bordered": True}


@pytest.mark.parametrize("reject, failed", [
    ({**BUTTON}, set()),
    ({**BUTTON, "area": 3100.0}, set()),                                # 52 %: just above the threshold
    ({**BUTTON, "area": 2900.0}, {"area"}),
    ({**BUTTON, "font_size": 11}, {"font-size"}),
    ({**BUTTON, "text_contrast": 2.9}, {"contrast"}),
    ({**BUTTON, "text_contrast": 3.2}, set()),                          # weak but above 3:1 (WCAG AA large)
    ({**BUTTON, "filled": False, "bordered": True}, set()),             # an outlined button is a button
    ({**BUTTON, "filled": False, "bordered": False, "tag": "a"}, {"bare-text"}),
])
def test_prominence_thresholds(reject, failed):
    assert {c["id"] for c in _criteria(BUTTON, reject)} == failed


def test_manifestly_unreadable_reject_fails_whatever_accept_does():
    accept = {**BUTTON, "text_contrast": 3.0}
    assert {c["id"] for c in _criteria(accept, {**BUTTON, "text_contrast": 2.5})} == set()
    assert {c["id"] for c in _criteria(accept, {**BUTTON, "text_contrast": 1.3})} == {"contrast"}


def _criteria(accept: dict, reject: dict) -> list[dict]:
    """The prominence criteria of two controls given as stored in an observation."""
    return criteria(BannerControl.from_dict(accept), BannerControl.from_dict(reject))


# --- banner-pre-ticked --------------------------------------------------------------------------------------------
def test_pre_ticked_settings_layer_gives_one_finding_per_category():
    found = judge(lab("preticked.o3d-lab.nl", "no-interaction", "reject-all"))
    assert {(f.rule, f.category) for f in found} == {("banner-pre-ticked", "performance"),
                                                     ("banner-pre-ticked", "targeting")}
    f = next(f for f in found if f.category == "performance")
    assert f.details["source"] == "settings-layer" and f.details["label"] == "Analytische cookies"
    assert f.details["visible"] is False      # read from the hidden settings layer, before anyone opened it


def test_pre_ticked_negative_necessary_is_always_on():
    d = raw("fair.o3d-lab.nl", "no-interaction")
    assert any(t["category"] == "necessary" and t["checked"] for t in d["banner"]["toggles"])
    assert judge([Observation.from_dict(d)]) == []


def test_pre_ticked_from_the_toggle_log():
    """When the driver logs a toggle's state before it changed it ("(was on)"), that is evidence as well."""
    r = raw("fair.o3d-lab.nl", "reject-all")
    r["choice"] = "only-performance"
    r["consent"]["requested"] = "only-performance"
    r["consent"]["steps"] = r["consent"]["steps"][:1] + [
        {"t": 0.4, "action": "text-heuristic", "detail": "clicked settings button 'Instellingen'", "ok": True},
        {"t": 0.7, "action": "text-heuristic", "detail": "performance -> on (was off)", "ok": True},
        {"t": 0.7, "action": "text-heuristic", "detail": "functional -> off (was off)", "ok": True},
        {"t": 0.8, "action": "text-heuristic", "detail": "targeting -> off (was on)", "ok": True},
    ]
    [f] = judge([Observation.from_dict(r)])
    assert f.rule == "banner-pre-ticked" and f.category == "targeting" and f.choice == "only-performance"
    assert f.details["source"] == "toggle-log" and f.evidence[0].pointer == "/consent/steps/4"


def test_pre_ticked_from_configured_selector_steps():
    r = raw("forget.o3d-lab.nl", "reject-all")
    r["consent"]["steps"].append({"t": 0.5, "action": "toggle", "detail": "#lb-cat-functional -> off (was on)", "ok": True})
    found = [f for f in judge([Observation.from_dict(r)]) if f.rule == "banner-pre-ticked"]
    assert [f.category for f in found] == ["functional"]


def test_pre_ticked_ignores_the_withdraw_scenario():
    r = raw("fair.o3d-lab.nl", "reject-all")
    r["choice"] = "withdraw"
    r["consent"]["steps"].append({"t": 3.0, "action": "text-heuristic", "detail": "targeting -> off (was on)", "ok": True})
    assert [f for f in judge([Observation.from_dict(r)]) if f.rule == "banner-pre-ticked"] == []


def test_pre_ticked_from_a_consent_manager_granting_before_any_interaction():
    d = raw("fair.o3d-lab.nl", "no-interaction")
    d["consent"]["state"] = {"decided": False, "categories": {"necessary": True, "analytics": True, "marketing": False}}
    [f] = judge([Observation.from_dict(d)])
    assert f.category == "performance" and f.details == {**f.details, "source": "consent-state", "cmp_category": "analytics"}
    assert f.evidence[0].pointer == "/consent/state"


# --- cookie-wall --------------------------------------------------------------------------------------------------
def test_cookie_wall():
    [f] = judge(lab("wall.o3d-lab.nl", "no-interaction", "reject-all"))
    assert f.rule == "cookie-wall" and f.severity == "high"
    assert f.details["scroll_locked"] and f.details["overlay_coverage"] == 1
    assert f.details["reject_all_run"]["outcome"] == "not-performed" and f.details["content_click_blocked"]


def test_cookie_wall_without_a_reject_all_visit_needs_no_settings_layer():
    assert [f.rule for f in judge(lab("wall.o3d-lab.nl", "no-interaction"))] == ["cookie-wall"]
    d = raw("wall.o3d-lab.nl", "no-interaction")
    d["banner"]["settings"] = copy.deepcopy(d["banner"]["accept"]) | {"text": "Instellingen"}
    assert [f.rule for f in judge([Observation.from_dict(d)])] == ["banner-no-reject-first-layer"]


def test_blocking_banner_that_allows_refusal_behind_settings_is_not_a_wall():
    d = raw("noreject.o3d-lab.nl", "no-interaction")
    d["banner"]["scroll_locked"] = True
    found = judge([Observation.from_dict(d), *lab("noreject.o3d-lab.nl", "reject-all")])
    assert [f.rule for f in found] == ["banner-no-reject-first-layer"]


def test_not_blocking_is_not_a_wall():
    d = raw("wall.o3d-lab.nl", "no-interaction")
    d["banner"].update(scroll_locked=False, overlay_coverage=0.3)
    found = judge([Observation.from_dict(d), *lab("wall.o3d-lab.nl", "reject-all")])
    assert [f.rule for f in found] == ["banner-no-reject-first-layer"]


# --- consent-by-scrolling -----------------------------------------------------------------------------------------
def test_consent_by_scrolling_from_the_stored_state():
    [f] = judge(lab("scroll.o3d-lab.nl", "no-interaction"))
    assert f.rule == "consent-by-scrolling" and f.severity == "high" and f.phase == "after-choice"
    assert f.details["signal"] == "stored-state" and f.details["granted"] == ["functional", "performance", "targeting"]
    assert f.details["state_after"]["raw"]["value"]["via"] == "scroll"


def test_consent_by_scrolling_from_trackers_released_by_the_probe():
    """No readable state, but vendors start after the probe and never run after reject-all."""
    d = raw("scroll.o3d-lab.nl", "no-interaction")
    d["banner"]["implied_consent_probe"].update(decided_after=False, state_after=None)
    r = raw("fair.o3d-lab.nl", "reject-all")
    r["domain"] = "scroll.o3d-lab.nl"
    [f] = judge([Observation.from_dict(d), Observation.from_dict(r)])
    assert f.rule == "consent-by-scrolling" and f.severity == "medium"
    assert f.details["signal"] == "trackers-after-probe"
    assert {"google-analytics", "meta-pixel", "microsoft-clarity"} <= set(f.details["vendors"])
    assert f.evidence[0].pointer.startswith("/requests/")
    # without a reject-all visit to compare with, the indirect signal is not used
    assert judge([Observation.from_dict(d)]) == []


def test_consent_by_scrolling_negative_when_nothing_changes():
    assert judge(lab("fair.o3d-lab.nl", "no-interaction")) == []
    d = raw("scroll.o3d-lab.nl", "no-interaction")
    d["banner"]["implied_consent_probe"]["decided_before"] = True    # decided before the probe: not the probe's doing
    assert [f.rule for f in judge([Observation.from_dict(d)])] == []


# --- consent-not-persisted ----------------------------------------------------------------------------------------
def test_banner_back_after_reload():
    [f] = judge(lab("forget.o3d-lab.nl", "reject-all"))
    assert f.rule == "consent-not-persisted" and f.severity == "medium" and f.phase == "after-reload"
    assert f.details["problem"] == "banner-back" and f.details["after_reload"]["decided"] is True
    assert f.evidence[0].pointer == "/banner/persistence/after_reload"


def test_refusal_turned_into_consent_is_high():
    r = raw("fair.o3d-lab.nl", "reject-all")
    r["banner"]["persistence"]["after_reload"]["categories"].update(performance=True)
    [f] = judge([Observation.from_dict(r)])
    assert f.severity == "high" and f.details["problem"] == "granted" and f.details["granted"] == ["performance"]


def test_refusal_forgotten_after_reload():
    r = raw("fair.o3d-lab.nl", "reject-all")
    r["banner"]["persistence"]["after_reload"].update(decided=False, categories=None)
    [f] = judge([Observation.from_dict(r)])
    assert f.details["problem"] == "forgotten"


def test_persistence_negative_cases():
    assert judge(lab("fair.o3d-lab.nl", "reject-all")) == []
    r = raw("forget.o3d-lab.nl", "reject-all")
    r["consent"]["outcome"] = "unverified"          # the refusal itself is doubtful: consent-not-verified says so
    assert judge([Observation.from_dict(r)]) == []
    r = raw("forget.o3d-lab.nl", "reject-all")
    r["banner"]["persistence"]["after_reload"]["banner_visible"] = None   # unknown: no judgement
    assert judge([Observation.from_dict(r)]) == []


# --- banner-no-granular-choice -------------------------------------------------------------------------------------
def _granularity_case(granularity: str | None, outcome: str = "not-performed") -> list[Observation]:
    obs = []
    for choice in ("no-interaction", "only-performance", "only-targeting"):
        d = raw("plain.o3d-lab.nl", "no-interaction")   # the recorded page, re-labelled as each visit
        d["choice"] = choice
        if choice.startswith("only-"):
            d["consent"]["requested"] = choice
            d["consent"]["outcome"] = outcome
            d["consent"]["state"] = {"decided": False, "categories": {"*": False}}
            if granularity:
                d["consent"]["state"]["granularity"] = granularity
        obs.append(Observation.from_dict(d))
    return obs


def _granular(observations: list[Observation], exp=LAB_EXP) -> list[Finding]:
    paths = {(o.domain, o.choice): f"observations/{o.domain}/{o.choice}.json" for o in observations}
    return list(evaluate(observations, exp, kb(), paths, rules=("banner-no-granular-choice",)))


def test_no_granular_choice_fires_once_per_domain_for_an_all_or_nothing_manager():
    found = _granular(_granularity_case("all-or-nothing"))
    assert len(found) == 1
    f = found[0]
    assert f.severity == "medium" and f.domain == "plain.o3d-lab.nl"
    assert f.details["choices_not_possible"] == ["only-performance", "only-targeting"]


def test_no_granular_choice_is_silent_without_the_managers_own_signal():
    # a banner whose settings button the heuristic merely missed is not evidence of an all-or-nothing banner
    assert _granular(_granularity_case(None)) == []
    # the recorded lab (per-category banners everywhere) gives nothing
    assert _granular(all_lab()) == []


def test_no_granular_choice_needs_two_optional_categories_in_the_policy():
    one = LAB_EXP.model_copy(update={"categories": [c for c in LAB_EXP.categories if c.id in ("necessary", "performance")]})
    assert _granular(_granularity_case("all-or-nothing"), one) == []


def test_pre_ticked_ignores_an_always_active_functional_box_but_not_an_always_active_marketing_one():
    # Complianz keeps its always-on group ("Functioneel", next to "Altijd actief") as a checked box in the DOM
    def case(category: str, always: bool = True) -> list[Finding]:
        d = raw("preticked.o3d-lab.nl", "no-interaction")
        for t in d["banner"]["toggles"]:
            t["checked"] = t["category"] == category
            t["always_on"] = always and t["category"] == category
        return [f for f in judge([Observation.from_dict(d)]) if f.rule == "banner-pre-ticked"
                and any(e.pointer.startswith("/banner/toggles") for e in f.evidence)]

    assert case("functional") == []
    assert [f.category for f in case("functional", always=False)] == ["functional"]   # a plain ticked box
    forced = case("targeting")
    assert [f.category for f in forced] == ["targeting"]
