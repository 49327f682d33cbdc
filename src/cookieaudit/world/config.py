"""What the demo world should plant: scenarios, per-shop knobs, latency.

A *scenario* gives every shop a full set of knobs; ``WorldConfig.overrides`` then changes single knobs
of single shops, so a test can switch one planted violation on or off without touching the others:

    WorldConfig(scenario="compliant", overrides={"online-3d-winkel.nl": {"hotjar_before_consent": True}})

Scenarios
---------
``compliant``  every shop behaves like online-3d-printen.nl: its own consent manager, every tag loaded only
               after consent for its category, Google Consent Mode v2 "basic", nothing before consent.
``default``    the compliant model plus these planted violations:

  ===================== =======================================================================
  online-3d-printen.nl  none
  online-3d-winkel.nl   hotjar_before_consent, ga4_before_consent (privacy-friendly GA4, the Dutch
                        analytics-exemption case), meta_pixel (undeclared, gated as marketing),
                        unknown_widget
  online-3d-printen.be  ga4_before_consent (no exemption in BE), ads_after_reject,
                        functional_not_saved
  online-3d-drucken.at  brevo_category="performance", consent_mode="advanced" with
                        consent_default="granted" (and gtm_before_consent, which advanced needs),
                        affiliate_cookie_days=1825
  online-3d-drucken.de  gtm_before_consent, google_fonts_before_consent, ua_without_aip,
                        consent_mode="advanced" (correctly denied: cookieless pings after reject)
  ===================== =======================================================================

Knobs (``ShopKnobs``; every one works on every shop unless noted)
-----------------------------------------------------------------
banner                      "cmp" (the shop's consent manager) or "none": no banner at all; tags that
                            the manager would have gated then load on page load, like a shop without
                            consent management (and without Consent Mode, whatever consent_mode says).
vendors                     which declared stacks are embedded: subset of {"google", "clarity", "hotjar",
                            "brevo"}; "google" is GTM with the GA4 and Google Ads tags in its container.
consent_mode                "none" (no gtag consent commands; container tags fire whenever GTM runs),
                            "basic" (tags wait until their consent type is granted) or "advanced"
                            (tags always fire; while denied GA4 sends cookieless pings, Ads stays silent).
consent_default             "denied" or "granted": the page's ``gtag('consent','default',…)``;
                            "granted" is the pre-ticked-box bug (gcs=G111 before any choice).
gtm_before_consent          the GTM snippet sits in <head> instead of behind the consent manager.
ga4_before_consent          GA4 is loaded through gtag.js on page load (outside GTM), configured
                            "privacy-friendly" (no Google signals, no ad personalisation, no user id),
                            and the page defaults analytics_storage to granted: the shop treats
                            analytics as exempt, so the banner never controls it.
ga4_google_signals          GA4 with Google signals and a user id (hits go to region1.analytics.google.com
                            and carry ``uid``): the privacy-friendly configuration is lost.
ga4_cookie_days             GA4 ``cookie_expires`` in days (365 everywhere; None = Google's 2 years).
hotjar_before_consent       the Hotjar snippet is not gated (session recording before consent).
meta_pixel                  Meta Pixel (not in the privacy policy) embedded, gated as targeting.
unknown_widget              a script from static.o3d-widgets.net (no known tracker) on every page.
brevo_category              the category Brevo is wired under ("targeting"; "performance" is wrong).
google_fonts_before_consent the page links Google Fonts (Inter) directly; off = system font stack.
ua_without_aip              Universal Analytics (analytics.js, UA-…) after performance consent, without
                            anonymizeIp; off = no Universal Analytics at all.
ads_after_reject            custom banner only: the Google Ads remarketing pixel fires when targeting
                            was refused (the integrator's "no-JS fallback" in the wrong branch).
functional_not_saved        custom banner only: "save" stores functional=false whatever was ticked.
hostile_cookie              a cookie whose value is markup (``<img/src=x/onerror=window.__pwned=1>``): every
                            output must show it as text and run nothing
affiliate_cookie_days       the shop software sets the first-party marketing cookie ``o3d_affiliate``
                            with this Max-Age on every page (None = not set).
tracker_delay_ms            (min, max): every JavaScript file a vendor host serves to this shop is
                            delayed by a random amount in the range, so tags fire late (flakiness tests).
late_tag_ms                 every page but the home page starts Hotjar this many ms after its load event,
                            whatever the visitor chose (a tag deferred "for performance"; None = never):
                            after a refusal it fires on the next page, seconds after that page loaded.

Variant worlds
--------------
``variant_seed`` (``None`` = the demo world as documented above): the five shop hosts are re-configured from
the seed by :mod:`cookieaudit.world.variants` – consent manager (a permutation of vanilla-cookieconsent,
Klaro, Orejime, tarteaucitron and a hand-made banner), page language (nl/de/fr/en), the manager's category
or service ids and labels, per-service or accept/decline-only consent, categories left out, the consent
cookie/localStorage name, page paths, link layout and distracting links. ``variants.generate(seed)`` is
the ground truth. Every shop of a variant world starts from the compliant knobs (the default scenario's
planted violations belong to the demo's own configuration); ``overrides`` still switch single knobs, and
the hand-made-banner knobs apply to whichever shop drew the hand-made banner. CLI: ``python -m
cookieaudit.world --variant-seed N``.

Latency: ``latency_ms`` delays every shop response and ``vendor_latency_ms`` every vendor response by a
uniformly random (min, max) amount drawn from ``random.Random(seed)``.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field, replace
from typing import Any, Mapping

from .catalog import CATEGORIES, SHOPS, SHOPS_BY_HOST

SCENARIOS: tuple[str, ...] = ("default", "compliant")
DECLARED_STACKS: frozenset[str] = frozenset({"google", "clarity", "hotjar", "brevo"})
CUSTOM_BANNER_ONLY: tuple[str, ...] = ("ads_after_reject", "functional_not_saved")


@dataclass(frozen=True)
class ShopKnobs:
    """The switchable behaviour of one shop. Defaults are the compliant model (online-3d-printen.nl)."""

    banner: str = "cmp"
    vendors: frozenset[str] = DECLARED_STACKS
    consent_mode: str = "basic"
    consent_default: str = "denied"
    gtm_before_consent: bool = False
    ga4_before_consent: bool = False
    ga4_google_signals: bool = False
    ga4_cookie_days: int | None = 365
    hotjar_before_consent: bool = False
    meta_pixel: bool = False
    unknown_widget: bool = False
    brevo_category: str = "targeting"
    google_fonts_before_consent: bool = False
    ua_without_aip: bool = False
    ads_after_reject: bool = False
    functional_not_saved: bool = False
    affiliate_cookie_days: int | None = None
    tracker_delay_ms: tuple[int, int] = (0, 0)
    hostile_cookie: bool = False
    late_tag_ms: int | None = None

    def validate(self, cmp: str) -> None:
        """Reject values the world cannot render, so a typo in a test fails loudly."""
        if self.banner not in ("cmp", "none"):
            raise ValueError(f"banner must be 'cmp' or 'none', not {self.banner!r}")
        if not self.vendors <= DECLARED_STACKS:
            raise ValueError(f"unknown vendors {sorted(self.vendors - DECLARED_STACKS)}; use {sorted(DECLARED_STACKS)}")
        if self.consent_mode not in ("none", "basic", "advanced"):
            raise ValueError(f"consent_mode must be none/basic/advanced, not {self.consent_mode!r}")
        if self.consent_default not in ("denied", "granted"):
            raise ValueError(f"consent_default must be denied/granted, not {self.consent_default!r}")
        if self.brevo_category not in CATEGORIES:
            raise ValueError(f"brevo_category must be one of {CATEGORIES}, not {self.brevo_category!r}")
        lo, hi = self.tracker_delay_ms
        if not 0 <= lo <= hi:
            raise ValueError(f"tracker_delay_ms must be (min, max) with 0 <= min <= max, not {self.tracker_delay_ms}")
        if self.late_tag_ms is not None and self.late_tag_ms < 0:
            raise ValueError(f"late_tag_ms must be >= 0 ms, not {self.late_tag_ms}")
        for name in CUSTOM_BANNER_ONLY:
            if getattr(self, name) and cmp != "custom":
                raise ValueError(f"{name} is a bug of the hand-made banner (online-3d-printen.be, or a variant "
                                 "shop's hand-made banner) only")

    @property
    def google(self) -> bool:
        return "google" in self.vendors

    @property
    def effective_consent_mode(self) -> str:
        """Without a consent manager nothing could ever update Consent Mode, so the shop does not use it."""
        return "none" if self.banner == "none" else self.consent_mode


COMPLIANT = ShopKnobs()

DEFAULT_SCENARIO: dict[str, ShopKnobs] = {
    "online-3d-printen.nl": COMPLIANT,
    "online-3d-winkel.nl": replace(COMPLIANT, hotjar_before_consent=True, ga4_before_consent=True,
                                   meta_pixel=True, unknown_widget=True),
    "online-3d-printen.be": replace(COMPLIANT, ga4_before_consent=True, ads_after_reject=True,
                                    functional_not_saved=True),
    "online-3d-drucken.at": replace(COMPLIANT, brevo_category="performance", consent_mode="advanced",
                                    consent_default="granted", gtm_before_consent=True,
                                    affiliate_cookie_days=5 * 365, hostile_cookie=True),
    "online-3d-drucken.de": replace(COMPLIANT, gtm_before_consent=True, google_fonts_before_consent=True,
                                    ua_without_aip=True, consent_mode="advanced"),
}


def _coerce(name: str, value: Any) -> Any:
    """Accept JSON-ish override values (lists for tuples/sets) as well as the exact types."""
    if name == "vendors":
        return frozenset(value)
    if name == "tracker_delay_ms":
        lo, hi = value
        return (int(lo), int(hi))
    return value


def apply_overrides(knobs: ShopKnobs, overrides: Mapping[str, Any]) -> ShopKnobs:
    known = {f.name for f in dataclasses.fields(ShopKnobs)}
    unknown = set(overrides) - known
    if unknown:
        raise ValueError(f"unknown knob(s) {sorted(unknown)}; known knobs: {sorted(known)}")
    return replace(knobs, **{k: _coerce(k, v) for k, v in overrides.items()})


@dataclass(frozen=True)
class WorldConfig:
    """How to run the demo world: scenario, latency, seed and per-shop knob overrides."""

    scenario: str = "default"
    latency_ms: tuple[int, int] = (0, 0)
    vendor_latency_ms: tuple[int, int] = (0, 0)
    seed: int = 0
    overrides: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    variant_seed: int | None = None

    def variant(self):
        """The variant world's ground truth (:class:`~cookieaudit.world.variants.WorldVariant`), or None."""
        if self.variant_seed is None:
            return None
        from .variants import generate
        return generate(self.variant_seed)

    def knobs(self) -> dict[str, ShopKnobs]:
        """The effective knobs of every shop (scenario, then overrides), validated."""
        if self.scenario not in SCENARIOS:
            raise ValueError(f"unknown scenario {self.scenario!r}; use one of {SCENARIOS}")
        unknown = set(self.overrides) - set(SHOPS_BY_HOST)
        if unknown:
            raise ValueError(f"overrides for unknown shop(s) {sorted(unknown)}; shops: {sorted(SHOPS_BY_HOST)}")
        for name, (lo, hi) in (("latency_ms", self.latency_ms), ("vendor_latency_ms", self.vendor_latency_ms)):
            if not 0 <= lo <= hi:
                raise ValueError(f"{name} must be (min, max) with 0 <= min <= max, not {(lo, hi)}")
        variant = self.variant()
        result = {}
        for shop in SHOPS:
            base = DEFAULT_SCENARIO[shop.host] if self.scenario == "default" and variant is None else COMPLIANT
            knobs = apply_overrides(base, self.overrides.get(shop.host, {}))
            knobs.validate(variant.shop(shop.host).manager if variant is not None else shop.cmp)
            result[shop.host] = knobs
        return result
