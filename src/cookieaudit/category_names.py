"""Consent managers' category names and labels, read as policy categories (Dutch, German, French, English).

Shared by the consent driver (browse/consent), the consent mapping (:mod:`cookieaudit.consent_map`) and the
rules, which never import the browser layer. Two levels:

- ``SYNONYMS``: exact ids many managers use (``analytics``, ``statistics``, ``marketing``, ``preferences``…);
- :func:`categories_in_text`: word stems in any of the four languages, for ids nobody standardised
  (``prestaties``, ``statistiken``, ``mesure-audience``) and for the labels a banner shows
  ("Analytische cookies", "Marketing & Werbung", "Cookies de mesure d'audience").
"""

from __future__ import annotations

import re
import unicodedata

# Policy category synonyms used when a domain does not map a manager's category names explicitly.
SYNONYMS: dict[str, str] = {
    "necessary": "necessary", "essential": "necessary", "required": "necessary", "strictly-necessary": "necessary",
    "technical": "necessary", "security": "necessary",
    "performance": "performance", "analytics": "performance", "analytic": "performance", "statistics": "performance",
    "measurement": "performance",
    "functional": "functional", "functionality": "functional", "preferences": "functional", "support": "functional",
    "personalization": "functional", "personalisation": "functional",
    "targeting": "targeting", "marketing": "targeting", "advertising": "targeting", "ads": "targeting",
    "advertisement": "targeting", "social": "targeting",
}

# Word stems (ASCII-folded, lower case) that name a category. "strong" stems decide; "weak" ones only count
# when no strong stem matched ("personalised advertising" is targeting, "personalisation" alone functional).
_STRONG: dict[str, tuple[str, ...]] = {
    "necessary": ("necess", "noodzak", "notwendig", "erforderlich", "essenti", "essenzi", "indispens", "obligatoir",
                  "strictly", "strikt", "required", "technisch", "technical", "techniqu", "security", "sicherheit",
                  "securite", "beveilig", "unerlasslich", "benodigd", "vereist", "nodig"),
    "performance": ("analy", "statist", "mesure", "measur", "meting", "metingen", "messung", "audience",
                    "perform", "prestatie", "leistung", "bezoekersstat", "reichweite", "insight", "heatmap",
                    "optimi", "verbesser", "amelior", "verbeter"),
    "functional": ("funct", "fonction", "funktion", "prefer", "voorkeur", "praferenz", "komfort", "comfort",
                   "gebruiksgemak", "confort"),
    "targeting": ("market", "advert", "werbung", "werbe", "reclame", "publicit", "ciblage", "target", "retarget",
                  "remarket", "tracking", "profil", "advertenti", "gerichte", "gezielte", "annonce", "campagn",
                  "kampagn", "campaign", "conversion"),
}
_WEAK: dict[str, tuple[str, ...]] = {   # in priority order
    "targeting": ("social", "sociale", "sozial", "sociaux", "ads", "pub", "ad"),
    "functional": ("personali", "support", "video", "media", "medien", "inhalte", "content", "contenu", "embed",
                   "chat", "kaart", "karte", "carte", "maps", "extern"),
    "necessary": ("basis", "basic", "base", "session"),
}
# short words that only count as whole tokens (else "ad" would match "download", "pub" "public")
_WHOLE_TOKEN = {"ads", "ad", "pub", "base", "basis", "basic", "nodig", "media", "chat", "maps", "session"}


def fold(text: str) -> str:
    """Lower case, accents removed, camelCase and separators turned into spaces: ``"mesureAudience"`` →
    ``"mesure audience"``, ``"Präferenzen"`` → ``"praferenzen"``."""
    text = re.sub(r"(?<=[a-z])(?=[A-Z])", " ", text or "")
    text = unicodedata.normalize("NFKD", text)
    text = "".join(ch for ch in text if not unicodedata.combining(ch)).lower()
    return re.sub(r"[^a-z0-9]+", " ", text).strip()


def _matches(tokens: list[str], stems: tuple[str, ...]) -> bool:
    for stem in stems:
        if stem in _WHOLE_TOKEN:
            if stem in tokens:
                return True
        elif any(stem in tok for tok in tokens):
            return True
    return False


def categories_in_text(text: str) -> set[str]:
    """The policy categories an id or label names, by word stems in nl/de/fr/en (empty when none).

    A label naming an optional category and the necessary one ("functional and necessary") counts as the
    optional one; several optional categories ("Analyse & Marketing") count as all of them."""
    folded = fold(text)
    if not folded:
        return set()
    exact = SYNONYMS.get(folded.replace(" ", "-")) or SYNONYMS.get(folded.replace(" ", ""))
    if exact:
        return {exact}
    tokens = [t for t in folded.split() if t not in ("cookie", "cookies", "de", "het", "die", "der", "les", "des")]
    found = {cat for cat, stems in _STRONG.items() if _matches(tokens, stems)}
    if not found:
        weak = [cat for cat, stems in _WEAK.items() if _matches(tokens, stems)]
        # weak words alone are a hint, not a bundle: "Social Media" is the social (advertising) networks
        found = {weak[0]} if weak else set()
    if len(found) > 1:
        found.discard("necessary")
    return found
