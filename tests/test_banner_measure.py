"""The banner measurement's pure parts (no browser): picking the first-layer controls, styles, toggle categories."""

from __future__ import annotations

from cookieaudit.browse.banner import choose, contrast, finish, match_rank, toggle_category, toggle_facts

BANNER = ("main", (966, 377, 384, 375))
STYLE = {"tag": "button", "role": None, "x": 0.0, "y": 0.0, "width": 120.0, "height": 40.0, "font_size": 15.0,
         "font_weight": "400", "color": "rgb(255, 255, 255)", "background": "rgb(11, 114, 133)",
         "surround": "rgb(255, 255, 255)", "own_background": "rgb(11, 114, 133)", "behind": "rgb(255, 255, 255)",
         "border": "1px solid", "border_color": "rgb(11, 114, 133)", "text_decoration": "none"}


def control(name: str, root=BANNER, order=0, **style) -> dict:
    return {**STYLE, **style, "name": name, "text": name, "root_key": root, "root": list(root[1]) if root else None,
            "order": (0, order), "frame": None}


def test_contrast_is_the_wcag_ratio():
    assert contrast("rgb(0, 0, 0)", "rgb(255, 255, 255)") == 21.0
    assert contrast("rgb(11, 114, 133)", "rgb(255, 255, 255)") == 5.59
    assert contrast("rgba(0, 0, 0, 0)", "nonsense") is None


def test_accept_reject_settings_are_told_apart():
    assert match_rank("Alles accepteren", "accept") == 0
    assert match_rank("Niet akkoord", "reject") is not None      # also contains "akkoord": a reject, not an accept
    assert match_rank("Cookies : Verbiete alle Cookies", "reject") is not None
    assert match_rank("Dat is oké", "accept") is not None and match_rank("Ik weiger", "reject") is not None
    assert match_rank("Laat me kiezen", "settings") is not None


def test_first_layer_controls_come_from_the_banner_not_the_footer():
    footer = ("main", (0, 700, 1366, 60))
    controls = [
        control("Cookie-instellingen", root=None, order=1, tag="a"),         # footer link, not in an overlay
        control("Alles accepteren", order=5),
        control("Alles weigeren", order=6),
        control("Voorkeuren beheren", order=7),
        control("Niet akkoord", root=footer, order=9),                      # some other overlay
    ]
    out, root = choose(controls, {})
    assert root == BANNER
    assert out.accept and out.reject and out.settings
    assert (out.accept.text, out.reject.text, out.settings.text) == \
        ("Alles accepteren", "Alles weigeren", "Voorkeuren beheren")
    assert all(c.in_banner for c in (out.accept, out.reject, out.settings))
    assert out.banner_box and out.banner_box.to_dict() == {"x": 966, "y": 377, "width": 384, "height": 375, "frame": None}
    assert out.visible is True


def test_reject_outside_the_banner_is_not_first_layer():
    controls = [control("Alles accepteren"), control("Instellingen", order=2),
                control("Weigeren", root=None, order=30, tag="a")]
    out, _ = choose(controls, {})
    assert out.reject is None and out.reject_elsewhere and out.reject_elsewhere.text == "Weigeren"
    assert out.reject_elsewhere.in_banner is False


def test_inline_banner_without_overlay_is_judged_on_the_whole_page():
    out, root = choose([control("Accept all", root=None), control("Reject all", root=None, order=1)], {})
    assert root is None and out.reject and out.reject.text == "Reject all" and out.banner_box is None
    assert "banner_box" not in out.to_dict()


def test_configured_selectors_win():
    configured = {"accept": control("Akkoord", order=-1), "reject": None, "settings": None}
    out, _ = choose([control("Alles accepteren"), control("Alles weigeren", order=1)], configured)
    assert out.accept and out.reject and (out.accept.text, out.reject.text) == ("Akkoord", "Alles weigeren")


def test_finish_derives_fill_border_and_area():
    link = finish({**STYLE, "tag": "a", "own_background": None, "border": "0px none", "color": "rgb(201, 201, 201)",
                   "background": "rgb(255, 255, 255)", "width": 80.5, "height": 13.0})
    assert link["area"] == 1046.5 and link["filled"] is False and link["bordered"] is False
    assert link["text_contrast"] == 1.66
    outlined = finish({**STYLE, "own_background": "rgb(255, 255, 255)", "behind": "rgb(255, 255, 255)"})
    assert outlined["filled"] is False and outlined["bordered"] is True
    assert finish(STYLE)["filled"] is True


def test_toggle_categories_from_labels():
    assert toggle_category("Strikt noodzakelijke cookies Nodig voor de werking") == "necessary"
    assert toggle_category("Analytische cookies") == "performance"
    assert toggle_category("Statistik") == "performance"
    assert toggle_category("Mesure d'audience") == "performance"
    assert toggle_category("Cookies fonctionnels") == "functional"
    assert toggle_category("Publicité ciblée") == "targeting"
    assert toggle_category("Nieuwsbrief ontvangen") is None
    facts = toggle_facts([{"label": "Marketingcookies", "role": "switch", "checked": True, "disabled": False,
                           "visible": False, "root_key": BANNER},
                          {"label": "Onthoud mij", "role": "checkbox", "checked": True, "disabled": False,
                           "visible": True, "root_key": None}], BANNER)
    assert [t.to_dict() for t in facts] == [{"label": "Marketingcookies", "category": "targeting", "role": "switch", "checked": True,
                      "disabled": False, "visible": False, "always_on": False, "in_banner": True}]
