"""de-google-fonts-before-consent: Google Fonts loaded from Google's servers without consent. Unlawful in
Germany (LG München I 3 O 17493/20); informational elsewhere."""

from __future__ import annotations

from .base import RuleMeta, when
from .context import WINDOW_AFTER, Collector, Context

META = RuleMeta(
    id="de-google-fonts-before-consent",
    title={"en": "Google Fonts loaded before consent",
           "nl": "Google Fonts geladen vóór toestemming"},
    explanation={
        "en": "Fonts loaded dynamically from fonts.googleapis.com / fonts.gstatic.com send the visitor's IP address "
              "to Google. The Regional Court of Munich (LG München I, 20 January 2022, 3 O 17493/20) held this "
              "unlawful without consent, since the fonts can be self-hosted. This finding lists such requests "
              "before consent or after anything other than \"accept all\". Severity: medium on German domains; "
              "informational elsewhere.",
        "nl": "Lettertypen die dynamisch van fonts.googleapis.com / fonts.gstatic.com worden geladen, sturen het "
              "IP-adres van de bezoeker naar Google. Het Landgericht München I (20 januari 2022, 3 O 17493/20) "
              "achtte dat zonder toestemming onrechtmatig, omdat de lettertypen zelf gehost kunnen worden. Deze "
              "bevinding toont zulke verzoeken vóór toestemming of na een andere keuze dan \"alles accepteren\". "
              "Ernst: middel op Duitse domeinen; elders ter informatie.",
    },
    severity="medium",
    jurisdictions=("DE",),
    legal_basis=("TDDDG §25 (DE)", "LG München I 3 O 17493/20", "GDPR art. 6(1)"),
    evidence=("requests",),
    needs_choice=True,
)


def check(ctx: Context, out: Collector) -> None:
    for visit in ctx.visits:
        for item in visit.requests():
            if item.att.vendor != "google-fonts":
                continue
            if item.window == WINDOW_AFTER and visit.choice == "accept-all":
                continue
            de = visit.jurisdiction == "DE"
            first_segment = "/" + item.path.strip("/").split("/", 1)[0]
            subject = dict(item.subject, path=first_segment)   # one finding per host and kind of resource
            t_en, t_nl = when(visit, item)
            note_en = "" if de else " (unlawful in Germany; informational here)"
            note_nl = "" if de else " (onrechtmatig in Duitsland; hier ter informatie)"
            out.add(
                META.id, visit, item, severity="medium" if de else "info", subject=subject, vendor="google-fonts",
                category=item.att.category, scope="domain", tag=item.window if item.window != "pre-consent" else "",
                details={"first_url": item.subject["url"], "german_case_law": de},
                message=f"Google Fonts were loaded from {item.host} {t_en} on {visit.domain}{note_en}.",
                message_nl=f"Google Fonts werden geladen van {item.host} {t_nl} op {visit.domain}{note_nl}.",
            )
