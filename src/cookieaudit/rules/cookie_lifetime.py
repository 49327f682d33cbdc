"""cookie-lifetime: non-necessary cookies that live longer than the declared retention, than 13 months, or that ask
for more than the 400-day browser cap."""

from __future__ import annotations

from ..kb.cookies import BROWSER_CAP_DAYS
from .base import RuleMeta, vendor_label
from .context import Collector, Context, Item, Visit

META = RuleMeta(
    id="cookie-lifetime",
    title={"en": "Cookie lifetime too long",
           "nl": "Cookie leeft te lang"},
    explanation={
        "en": "Cookie lifetimes must be proportionate and consistent with what the site declares. For cookies that "
              "are not strictly necessary this rule checks (1) first-party cookies against the retention the "
              "privacy policy declares, (2) every cookie against 13 months, the CNIL benchmark for consent-exempt "
              "audience measurement used here as a yardstick, and (3) the lifetime the site asked for in the raw "
              "Set-Cookie header (Max-Age/Expires) or document.cookie assignment against the 400-day cap Chromium "
              "applies to stored cookies - the stored expiry alone would hide it. A lifetime is not the same as "
              "server-side retention, so (1) is an inconsistency rather than proof. Severity: medium for (2) or "
              "(3), low for (1) alone or for cookies of unknown purpose.",
        "nl": "Cookielevensduren moeten evenredig zijn en passen bij wat de site verklaart. Voor cookies die niet "
              "strikt noodzakelijk zijn controleert deze regel (1) eigen cookies tegen de bewaartermijn uit de "
              "privacyverklaring, (2) elke cookie tegen 13 maanden, de CNIL-maatstaf voor vrijgestelde "
              "bezoekersmeting, hier als ijkpunt gebruikt, en (3) de levensduur die de site vroeg in de ruwe "
              "Set-Cookie-header (Max-Age/Expires) of document.cookie-toewijzing tegen de grens van 400 dagen die "
              "Chromium oplegt - de opgeslagen vervaldatum alleen zou dat verbergen. Levensduur is niet hetzelfde "
              "als bewaartermijn op de server, dus (1) is een inconsistentie en geen bewijs. Ernst: middel voor (2) "
              "of (3), laag voor alleen (1) of voor cookies met onbekend doel.",
    },
    severity="medium",
    jurisdictions=("EU",),
    legal_basis=("GDPR art. 5(1)(e)", "GBA 85/2022 (Roularta)", "CNIL 13-month benchmark",
                 "privacy policy retention", "RFC 6265bis 400-day cap"),
    evidence=("cookies", "set_cookies"),
)

THIRTEEN_MONTHS_DAYS = 397.0     # the longest 13-month span is 396 days; one day of slack
SLACK_DAYS = 1.0


def check(ctx: Context, out: Collector) -> None:
    retention = float(ctx.expectations.retention.technical_data_days)
    for domain in ctx.domains:
        best: dict[tuple[str, str], tuple[Visit, Item, float, float | None, float | None]] = {}
        for visit in ctx.visits_of(domain):
            for item in visit.items:
                if item.kind != "cookie" or item.att.category == "necessary":
                    continue
                req, stored = item.requested_lifetime_days, item.stored_lifetime_days
                vals = [v for v in (req, stored) if v is not None]
                if not vals:
                    continue
                life = max(vals)
                key = (item.subject["name"], item.subject["domain"])
                prev = best.get(key)
                if prev is None or life > prev[2] or (life == prev[2] and (visit.rank, item.order) < (prev[0].rank, prev[1].order)):
                    best[key] = (visit, item, life, req, stored)
        for (name, cdom), (visit, item, life, req, stored) in sorted(best.items()):
            exceeded = []
            if item.att.party == "first" and life > retention + SLACK_DAYS:
                exceeded.append("declared-retention")
            if life > THIRTEEN_MONTHS_DAYS:
                exceeded.append("13-months")
            if req is not None and req > BROWSER_CAP_DAYS + SLACK_DAYS:
                exceeded.append("browser-cap")
            if not exceeded:
                continue
            unknown = item.att.category is None and not item.att.tracking
            sev = "medium" if ({"13-months", "browser-cap"} & set(exceeded)) and not unknown else "low"
            who_en, who_nl = vendor_label(ctx, item)
            # the message names the lifetime the browser stored, and the one asked for when the browser capped it
            shown = stored if stored is not None else life
            capped = req is not None and stored is not None and req > stored + SLACK_DAYS
            ask_en = f" (it asked for {req:.0f} days; Chromium capped it)" if capped else ""
            ask_nl = f" (gevraagd: {req:.0f} dagen; Chromium heeft dat begrensd)" if capped else ""
            parts_en, parts_nl = [], []
            if "declared-retention" in exceeded:
                parts_en.append(f"the declared retention of {retention:g} days ({ctx.expectations.retention.ref})")
                parts_nl.append(f"de verklaarde bewaartermijn van {retention:g} dagen ({ctx.expectations.retention.ref})")
            if "13-months" in exceeded:
                parts_en.append("13 months")
                parts_nl.append("13 maanden")
            if "browser-cap" in exceeded:
                parts_en.append(f"the {BROWSER_CAP_DAYS}-day browser cap" + ("" if capped else f" (it asked for {req:.0f} days)"))
                parts_nl.append(f"de browsergrens van {BROWSER_CAP_DAYS} dagen" + ("" if capped else f" (gevraagd: {req:.0f} dagen)"))
            out.add(
                META.id, visit, item, severity=sev, subject=item.subject, vendor=item.att.vendor,
                category=item.att.category, scope="domain",
                details={"lifetime_days": round(life, 1),
                         "requested_lifetime_days": round(req, 1) if req is not None else None,
                         "stored_lifetime_days": round(stored, 1) if stored is not None else None,
                         "exceeds": exceeded, "declared_retention_days": retention,
                         "attribution": item.att.to_dict()},
                message=(f"The cookie {name} ({cdom}; {who_en}) on {domain} is stored for {shown:.0f} days{ask_en}, "
                         f"longer than {_join(parts_en, 'and')}." if stored is not None else
                         f"The cookie {name} ({cdom}; {who_en}) on {domain} asked for {life:.0f} days, longer than "
                         f"{_join(parts_en, 'and')}."),
                message_nl=(f"De cookie {name} ({cdom}; {who_nl}) op {domain} wordt {shown:.0f} dagen bewaard{ask_nl}, "
                            f"langer dan {_join(parts_nl, 'en')}." if stored is not None else
                            f"De cookie {name} ({cdom}; {who_nl}) op {domain} vroeg om {life:.0f} dagen, langer dan "
                            f"{_join(parts_nl, 'en')}."),
            )


def _join(parts: list[str], word: str) -> str:
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + f" {word} " + parts[-1]
