"""Is this page the site at all? A bot challenge, a parked domain or an error page is recorded, never judged.

A pure function over what a page shows (status, title, visible text, a few markup markers), so it is tested without
a browser. Phrases in Dutch, German, French and English; the markers are those of the common challenge and
captcha services (Cloudflare, hCaptcha, reCAPTCHA interstitials, DataDome, PerimeterX, Imperva/Incapsula,
DDoS-Guard, Sucuri) and the common parking services.

    not_the_site(status=403, title="Just a moment...", text="Checking your browser before accessing ...")
    -> {"kind": "bot-challenge", "matched": "just a moment", "reason": "not the site: bot challenge ('just a moment')"}
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any

KINDS = ("bot-challenge", "parked", "error-page")
LABEL = {"bot-challenge": "bot challenge", "parked": "parked domain", "error-page": "error page"}

# a phrase in the title or in the (short) visible text
CHALLENGE_PHRASES = (
    "just a moment", "checking your browser", "checking if the site connection is secure",
    "verify you are human", "verify that you are human", "verifying you are human", "are you a robot",
    "please verify you are a human", "attention required", "please wait while we verify", "ddos protection by",
    "enable javascript and cookies to continue", "press & hold", "access denied - sucuri", "ddos-guard",
    # nl
    "uw browser wordt gecontroleerd", "je browser wordt gecontroleerd", "controleren of u een mens bent",
    "controleren of je een mens bent", "bevestig dat u een mens bent", "bevestig dat je een mens bent",
    "een ogenblik geduld", "even geduld a.u.b", "verifieer dat u een mens bent",
    # de
    "ihr browser wird überprüft", "überprüfung ihres browsers", "bestätigen sie, dass sie ein mensch sind",
    "bitte bestätigen sie, dass sie kein roboter sind", "einen moment bitte", "sind sie ein mensch",
    # fr
    "vérification de votre navigateur", "verification de votre navigateur", "vérifiez que vous êtes humain",
    "vérifions que vous êtes humain", "veuillez confirmer que vous êtes humain", "êtes-vous un robot",
    "un instant", "vérification que vous n'êtes pas un robot",
)
# markup of challenge / captcha interstitials (searched in the page's HTML, case-insensitive)
CHALLENGE_MARKERS = (
    "cf-challenge", "cf_chl_", "/cdn-cgi/challenge-platform/", "challenge-form", "cf-turnstile-wrapper",
    "_incapsula_resource", "captcha-delivery.com", "px-captcha", "ddos-guard", "sucuri-cloudproxy",
    "hcaptcha-challenge",
)
PARKED_PHRASES = (
    "this domain is for sale", "domain is for sale", "this domain may be for sale", "buy this domain",
    "the domain name is for sale", "this domain name is for sale", "domain parking", "parked domain",
    "this domain has been registered", "parked free", "is parked",
    # nl
    "domein te koop", "deze domeinnaam is te koop", "dit domein is te koop", "domeinnaam te koop",
    "deze domeinnaam is geregistreerd", "geparkeerd domein",
    # de
    "domain kaufen", "diese domain steht zum verkauf", "diese domain kaufen", "domain ist zu verkaufen",
    "die domain steht zum verkauf", "domain steht zum verkauf", "domain geparkt",
    # fr
    "ce domaine est à vendre", "ce nom de domaine est à vendre", "nom de domaine à vendre", "domaine à vendre",
    "domaine parqué",
)
PARKED_MARKERS = ("sedoparking", "parkingcrew", "bodis.com", "dan.com/buy-domain", "afternic", "parklogic",
                  "above.com/marketplace")
# an error page served with 200 ("soft 404") is recognised by its title or main heading only
ERROR_TITLES = (
    r"^(?:http |error |fout |fehler |erreur )?(?:404|500|502|503)\b", r"\b(?:error|fout|fehler|erreur) (?:404|500|502|503)\b",
    r"not found", r"page not found", r"internal server error",
    r"service unavailable", r"bad gateway", r"server error",
    r"pagina niet gevonden", r"niet gevonden", r"deze pagina bestaat niet",
    r"seite nicht gefunden", r"nicht gefunden", r"seite existiert nicht",
    r"page introuvable", r"page non trouvée", r"introuvable", r"erreur 404",
)
_ERROR_RE = re.compile("|".join(ERROR_TITLES))
# challenge phrases are short, generic words ("un instant"): in the body only when the page says little else
SHORT_TEXT = 1500


def _norm(s: str | None) -> str:
    s = unicodedata.normalize("NFC", s or "").replace("\u2019", "'").replace("\u00a0", " ")
    return re.sub(r"\s+", " ", s).strip().lower()


def _find(phrases: tuple[str, ...], hay: str) -> str | None:
    return next((p for p in phrases if p in hay), None)


def not_the_site(status: int | None = None, title: str | None = None, text: str | None = None,
                 html: str | None = None, heading: str | None = None) -> dict[str, Any] | None:
    """What the page is instead of the site, or ``None`` when it looks like the site.

    ``text`` is the page's visible text, ``html`` (optional) its markup, ``heading`` its first ``h1``.
    Order: bot challenge (title, short text or markup), parked domain (title, text or markup), error page
    (an error status, or a title / first heading that says "not found" / "server error").
    """
    t, body, mark, h1 = _norm(title), _norm(text), (html or "").lower(), _norm(heading)
    short = len(body) <= SHORT_TEXT

    def verdict(kind: str, matched: str, where: str) -> dict[str, Any]:
        return {"kind": kind, "matched": matched, "where": where, "status": status,
                "reason": f"not the site: {LABEL[kind]} ({where}: {matched!r})"}

    m = _find(CHALLENGE_PHRASES, t)
    if m:
        return verdict("bot-challenge", m, "title")
    m = _find(CHALLENGE_MARKERS, mark)
    if m:
        return verdict("bot-challenge", m, "markup")
    if short or (status is not None and status in (403, 429, 503)):
        m = _find(CHALLENGE_PHRASES, body)
        if m:
            return verdict("bot-challenge", m, "text")
    m = _find(PARKED_PHRASES, t) or _find(PARKED_PHRASES, h1)
    if m:
        return verdict("parked", m, "title")
    m = _find(PARKED_PHRASES, body)
    if m:
        return verdict("parked", m, "text")
    m = _find(PARKED_MARKERS, mark)
    if m:
        return verdict("parked", m, "markup")
    if status is not None and status >= 400:
        return verdict("error-page", f"HTTP {status}", "status")
    for where, hay in (("title", t), ("heading", h1)):
        em = _ERROR_RE.search(hay)
        if em:
            return verdict("error-page", em.group(0), where)
    return None


# collected in the page: title, first h1, visible text (bounded) and the markup's head (bounded)
PAGE_FACTS_JS = """() => {
  const h1 = document.querySelector('h1');
  const body = document.body;
  return {title: document.title || '', heading: h1 ? (h1.innerText || '').slice(0, 300) : '',
          text: body ? (body.innerText || '').slice(0, 6000) : '',
          html: document.documentElement ? document.documentElement.outerHTML.slice(0, 60000) : ''};
}"""


async def page_facts(page: Any) -> dict[str, str]:
    try:
        facts = await page.evaluate(PAGE_FACTS_JS)
        return facts if isinstance(facts, dict) else {}
    except Exception:  # noqa: BLE001 - navigating / renderer busy: no verdict
        return {}
