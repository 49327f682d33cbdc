"""The typed banner measurement and consent state write exactly what the plain dicts before them wrote.

``Observation.banner`` and ``ConsentOutcome.state`` were free-form dicts; they are typed records now, and an
observation file must not change because of it: not for a visit written by this version, not for an older file
read and written again (fields it lacks stay absent, keys this version does not know are kept, in their place).
"""

from __future__ import annotations

import asyncio
import hashlib
import json
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from cookieaudit.browse.banner import PAGE_JS, measure_banner
from cookieaudit.browse.consent import _check_tc_string, with_mapping
from cookieaudit.expectations import Domain
from cookieaudit.observations import (BannerControl, BannerMeasurement, BannerToggle, ConsentOutcome, ConsentState,
                                      FirstLayer, ImpliedConsentProbe, Observation, PersistenceCheck, ReloadCheck)

DATA = Path(__file__).parent / "data"
FIXTURES = sorted(p for p in (DATA / "observations").rglob("*.json")) + sorted((DATA / "run").rglob("*.json"))


def _observation_files() -> list[Path]:
    out = []
    for p in FIXTURES:
        d = json.loads(p.read_text(encoding="utf-8"))
        if isinstance(d, dict) and d.get("schema") == "cookieaudit.observation/1":
            out.append(p)
    return out


OBSERVATIONS = _observation_files()


def _text(obj: Any) -> str:
    """Bytes as ``Observation.dump`` writes them (key order included)."""
    return json.dumps(obj, indent=1, ensure_ascii=False)


# --- the repository's stored observations -----------------------------------------------------------------------
def test_the_stored_observations_are_there():
    assert len(OBSERVATIONS) >= 40
    with_banner = [p for p in OBSERVATIONS if "accept" in json.loads(p.read_text(encoding="utf-8")).get("banner", {})]
    with_state = [p for p in OBSERVATIONS if json.loads(p.read_text(encoding="utf-8"))["consent"].get("state")]
    assert len(with_banner) >= 10 and len(with_state) >= 10


@pytest.mark.parametrize("path", OBSERVATIONS, ids=lambda p: str(p.relative_to(DATA)))
def test_banner_and_state_of_a_stored_observation_are_written_back_byte_for_byte(path: Path):
    """Before the typing both were passed through as read: written back they are the file's own, key for key."""
    data = json.loads(path.read_text(encoding="utf-8"))
    obs = Observation.from_dict(data)
    out = obs.to_dict()
    assert _text(out["banner"]) == _text(data.get("banner", {}))
    assert _text(out["consent"]["state"]) == _text(data["consent"].get("state"))
    # and read as typed records, not as dicts
    assert isinstance(obs.banner, BannerMeasurement)
    assert obs.consent.state is None or isinstance(obs.consent.state, ConsentState)
    if "accept" in data.get("banner", {}):
        layer = obs.banner.first_layer
        assert layer is not None and all(isinstance(t, BannerToggle) for t in layer.toggles)
        assert layer.accept is None or isinstance(layer.accept, BannerControl)


def test_every_stored_observation_is_written_as_before_the_typing():
    """The digests of ``json.dumps(Observation.from_dict(file).to_dict(), indent=1)`` made by the code before the
    banner and consent state were typed (commit 71c2332). A change of the observation format fails here: if it is
    meant, regenerate the digests with the new code and say so in the commit."""
    want = json.loads((DATA / "observation-format-digests.json").read_text(encoding="utf-8"))
    got = {}
    for p in OBSERVATIONS:
        text = _text(Observation.from_dict(json.loads(p.read_text(encoding="utf-8"))).to_dict())
        got[str(p.relative_to(DATA))] = hashlib.sha256(text.encode()).hexdigest()
    assert got == want


def test_dump_and_load_give_the_same_file(tmp_path: Path):
    path = next(p for p in OBSERVATIONS if "banner-lab" in str(p) and p.name == "no-interaction.json")
    obs = Observation.load(path)
    obs.dump(tmp_path / "a.json")
    Observation.load(tmp_path / "a.json").dump(tmp_path / "b.json")
    assert (tmp_path / "a.json").read_bytes() == (tmp_path / "b.json").read_bytes()
    assert Observation.load(tmp_path / "b.json") == obs


# --- what the writer writes -------------------------------------------------------------------------------------
STYLE = {"tag": "button", "role": None, "x": 10, "y": 500.25, "width": 120, "height": 40.0, "font_size": 15.0,
         "font_weight": "400", "color": "rgb(255, 255, 255)", "background": "rgb(11, 114, 133)",
         "surround": "rgb(255, 255, 255)", "own_background": "rgb(11, 114, 133)", "behind": "rgb(255, 255, 255)",
         "border": "1px solid", "border_color": "rgb(11, 114, 133)", "text_decoration": "none"}
BOX = [0, 400, 1366, 368]


def _scanned(order: int, name: str, root: list[int] | None = BOX, **style: Any) -> dict[str, Any]:
    return {"order": order, "name": name, **STYLE, **style, "text": name, "root": root}


FOUND = {"controls": [_scanned(3, "Alles accepteren"),
                      _scanned(4, "Instellingen", own_background=None, border="0px none"),
                      _scanned(9, "Weigeren", root=None, tag="a", own_background=None, color="rgb(150, 150, 150)")],
         "toggles": [{"label": "Analytische cookies", "role": "checkbox", "checked": True, "disabled": False,
                      "visible": False, "always_on": False, "root": BOX},
                     {"label": "Functionele cookies altijd actief", "role": "switch", "checked": True,
                      "disabled": True, "visible": True, "always_on": True, "root": None}]}
FACTS = {"scroll_locked": True, "overlay_coverage": 0.345679, "page_height": 2400, "viewport": [1366, 768]}
DOMAIN = Domain(host="shop.example", country="NL", locale="nl-NL", timezone="Europe/Amsterdam", pages=["/"], ref="t")


class _Frame:
    url = "https://shop.example/"

    async def evaluate(self, js: str, arg: Any = None) -> Any:
        return json.loads(json.dumps(FOUND))          # a fresh copy, as from the page


class _Page:
    """What measure_banner asks of a page: its frames' scan and the page facts (None: the page cannot answer)."""

    def __init__(self, facts: dict[str, Any] | None):
        self.main_frame = _Frame()
        self.frames = [self.main_frame]
        self.facts = facts

    async def evaluate(self, js: str, arg: Any = None) -> Any:
        assert js == PAGE_JS
        if self.facts is None:
            raise RuntimeError("Execution context was destroyed")
        return dict(self.facts)


@pytest.mark.parametrize("case", ["page measured", "page facts unreadable"])
@pytest.mark.parametrize("shot", ["evidence/shop.example/no-interaction/before-consent.png", None])
def test_a_measured_banner_is_written_as_before_the_typing(case: str, shot: str | None):
    """``tests/data/banner-measurement-before-typing.json`` is what measure_banner returned for this page before the
    typing (a dict); browse.visit then added the screenshot, the implied-consent probe after it."""
    before = json.loads((DATA / "banner-measurement-before-typing.json").read_text(encoding="utf-8"))[case]
    layer = asyncio.run(measure_banner(_Page(FACTS if case == "page measured" else None), DOMAIN))
    probe = ImpliedConsentProbe(actions=("scrolled 1500 px",), decided_before=False, decided_after=False,
                                state_after=None)
    banner = BannerMeasurement(first_layer=replace(layer, screenshot=shot), implied_consent_probe=probe)
    want = {**before, "screenshot": shot, "implied_consent_probe": {
        "actions": ["scrolled 1500 px"], "decided_before": False, "decided_after": False, "state_after": None}}
    assert _text(banner.to_dict()) == _text(want)
    # what the rules read
    assert layer.accept and layer.accept.in_banner and layer.reject is None
    assert layer.reject_elsewhere and layer.reject_elsewhere.text == "Weigeren" and not layer.reject_elsewhere.in_banner
    assert [t.category for t in layer.toggles] == ["performance", "functional"] and layer.toggles[1].always_on
    assert (layer.scroll_locked, layer.viewport) == ((True, (1366, 768)) if case == "page measured" else (None, None))


def test_the_other_visits_write_their_banner_as_before():
    assert BannerMeasurement().to_dict() == {}
    after = ReloadCheck(decided=True, banner_visible=False, categories={"analytics": False}, mapped=None)
    assert _text(BannerMeasurement(persistence=PersistenceCheck(after_reload=after)).to_dict()) == _text(
        {"persistence": {"after_reload": {"decided": True, "banner_visible": False, "categories": {"analytics": False},
                                          "mapped": None}}})
    # the measurement failed, the probe ran
    probe = ImpliedConsentProbe(actions=(), decided_before=False, decided_after=True,
                                state_after=ConsentState.from_dict({"decided": True, "categories": {"*": True},
                                                                    "raw": {"status": "dismiss"}}))
    assert _text(BannerMeasurement(implied_consent_probe=probe).to_dict()) == _text({"implied_consent_probe": {
        "actions": [], "decided_before": False, "decided_after": True,
        "state_after": {"decided": True, "categories": {"*": True}, "raw": {"status": "dismiss"}}}})


def test_a_consent_state_is_written_as_the_manager_read_it_then_what_the_driver_added():
    read = {"decided": True, "categories": {"purpose-1": True, "analytics": False}, "level": "service",
            "raw": {"tcString": "nonsense!", "cmpId": 7}, "someday": [1]}       # a key this version does not know
    state = ConsentState.from_dict(read)
    assert (state.decided, state.level, state.extra) == (True, "service", {"someday": [1]})
    checked, problem = _check_tc_string(state)
    assert problem and "cannot be decoded" in problem
    mapped = with_mapping(DOMAIN, checked, None)
    assert mapped is not None and mapped.mapped == {"purpose-1": None, "analytics": "performance"}
    # before the typing: {**state, "tc_string_decoded": …} then {**state, "mapped": …, "mapping": …}
    assert list(mapped.to_dict()) == ["decided", "categories", "level", "raw", "someday", "tc_string_decoded",
                                      "mapped", "mapping"]
    assert mapped.to_dict()["someday"] == [1] and mapped.to_dict()["raw"] == read["raw"]
    marked = ConsentState.all_or_nothing(mapped)
    assert list(marked.to_dict())[-1] == "granularity" and marked.to_dict()["granularity"] == "all-or-nothing"
    assert ConsentState.all_or_nothing(None).to_dict() == {"granularity": "all-or-nothing"}


def test_a_withdrawal_writes_both_states_or_only_the_accepting_one():
    accepted = ConsentState.from_dict({"decided": True, "categories": {"analytics": True}, "raw": None})
    assert _text(ConsentState.withdrawal(accepted, None).to_dict()) == _text(
        {"accept": {"decided": True, "categories": {"analytics": True}, "raw": None}, "withdraw": None})
    assert ConsentState.withdrawal(None, performed=False).to_dict() == {"accept": None}
    outcome = ConsentOutcome(requested="withdraw", outcome="unverified", state=ConsentState.withdrawal(accepted, None))
    obs = Observation(domain="shop.example", choice="withdraw", status="complete", started_utc="2026-01-01T00:00:00Z",
                      ended_utc="2026-01-01T00:01:00Z", consent_wall_utc=None, consent=outcome)
    again = Observation.from_dict(json.loads(json.dumps(obs.to_dict())))
    assert again.to_dict() == obs.to_dict() and again.consent.state and again.consent.state.accept == accepted
    assert again.consent.state.categories == {} and not again.consent.state.decided


# --- older and foreign files ------------------------------------------------------------------------------------
def test_an_old_banner_without_the_newer_keys_loads_and_is_written_back_without_them():
    control = {"text": "Akkoord", "tag": "button", "x": 1.0, "y": 2.0, "width": 100.0, "height": 30.0, "area": 3000.0,
               "in_banner": True}                                           # no colours, no contrasts yet
    old = {"accept": control, "reject": None, "settings": None,
           "toggles": [{"label": "Marketing", "category": "targeting", "role": "checkbox", "checked": True,
                        "disabled": False, "visible": True, "in_banner": True}],      # no always_on yet
           "visible": True}                                                 # no page facts, no screenshot
    banner = BannerMeasurement.from_dict(old)
    layer = banner.first_layer
    assert layer and layer.accept and layer.accept.text == "Akkoord" and layer.accept.text_contrast is None
    assert layer.toggles[0].always_on is False and layer.scroll_locked is None and layer.screenshot is None
    assert _text(banner.to_dict()) == _text(old)


def test_unknown_keys_are_kept_in_their_place():
    new = {"accept": {**STYLE, "text": "OK", "shape": "pill", "in_banner": True}, "reject": None, "settings": None,
           "layers": 2, "toggles": [], "visible": True, "screenshot": None, "persistence": {"after_reload": {
               "decided": True, "banner_visible": None, "categories": None, "mapped": None, "reloads": 1}},
           "vendor_list": {"count": 3}}
    banner = BannerMeasurement.from_dict(new)
    assert banner.extra == {"layers": 2, "vendor_list": {"count": 3}}
    assert banner.first_layer and banner.first_layer.accept and banner.first_layer.accept.extra == {"shape": "pill"}
    assert banner.persistence and banner.persistence.after_reload and banner.persistence.after_reload.decided
    assert _text(banner.to_dict()) == _text(new)


def test_a_banner_without_an_accept_key_is_no_measured_first_layer():
    """browse.banner always writes ``accept`` (None when absent): without it the rest is not a measurement."""
    for data in ({}, {"toggles": [], "visible": False}, {"implied_consent_probe": {"actions": [], "decided_before": False,
                                                                                  "decided_after": False,
                                                                                  "state_after": None}}):
        banner = BannerMeasurement.from_dict(data)
        assert banner.first_layer is None
        assert _text(banner.to_dict()) == _text(data)
    empty = Observation.from_dict({**json.loads(OBSERVATIONS[0].read_text(encoding="utf-8")), "banner": {}})
    assert empty.banner == BannerMeasurement() and empty.to_dict()["banner"] == {}


def test_a_hand_written_state_loads_and_is_written_back_as_it_was():
    odd = {"cookie": "cc_cookie", "categories": ["necessary"]}          # a list: not a manager's record of keys
    state = ConsentState.from_dict(odd)
    assert state.categories == {} and not state.categories_read and not state.decided
    assert _text(state.to_dict()) == _text(odd)
    assert with_mapping(DOMAIN, state, None) is state
    assert ConsentState.from_dict({"decided": True}).categories_read is False
    assert ConsentState.from_dict({"decided": True, "categories": {}}).categories_read is True


def test_a_field_set_on_a_loaded_record_is_written():
    loaded = BannerMeasurement.from_dict({"accept": None, "reject": None, "settings": None, "toggles": [],
                                          "visible": False})
    later = replace(loaded, persistence=PersistenceCheck(after_reload=ReloadCheck(decided=True)))
    assert list(later.to_dict()) == ["accept", "reject", "settings", "toggles", "visible", "persistence"]
    old_toggle = BannerToggle.from_dict({"label": "Marketing", "checked": True})
    assert replace(old_toggle, always_on=True).to_dict() == {"label": "Marketing", "checked": True, "always_on": True}


def test_first_layer_field_order_is_the_written_order():
    """Records built by this version write their fields in declaration order: the order the dicts had."""
    layer = FirstLayer(accept=None, toggles=(), visible=False)
    assert list(layer.to_dict()) == ["accept", "reject", "settings", "toggles", "visible", "screenshot"]
