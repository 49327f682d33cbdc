"""Page discovery: which pages of a domain every consent choice walks, when the expectations list none.

Once per domain, before the visit matrix, a fresh browser context (the visits' locale, time zone, user agent and
viewport; nobody touches the banner) loads the home page and reads its links. :func:`select_pages` - a pure
function over that link list, unit-tested without a browser - chooses the pages:

1. the home page (where consent is given);
2. then at most one page of each kind, in this order: ``product`` (a product / detail page), ``category`` (a
   category / listing page), ``cart`` (cart, basket), ``privacy`` (the privacy / cookie policy).

Each same-site link is *classified* by words in its visible text, aria-label / title and URL path (Dutch, German,
French, English) and by URL patterns (``/product/<slug>``, ``/c/<slug>``, ``/cart`` …). Its score for a kind is
3 for a word in the text or label, 2 for a word or pattern in the path, +1 when the link sits where such links
sit (cart in header/nav, privacy in the footer, product in a card), +1 when it is visible. The best-scoring link of
each kind wins; ties go to the earlier link in the document, then the shorter URL. A URL is used for one kind only.

Never chosen (each candidate records why): other schemes (``mailto:``, ``tel:``, ``javascript:`` …), pure ``#``
fragments and links back to the home page, other registrable domains (``tldextract``; sub-domains of the same
name count as the site), downloads (``download`` attribute or a file extension such as ``.pdf`` / ``.zip``),
logout / sign-out, checkout / order placing / payment, cart actions in the query (``add-to-cart`` …), and language
switchers to another language than the domain's locale (``hreflang``, a language-name text, a ``/en/``-style
first path segment). ``robots.txt`` is not consulted: the site's owner runs this audit.

The result is plain data (``observations/<domain>/discovery.json`` and ``findings.json`` → ``domains[].discovery``).
"""

from __future__ import annotations

import asyncio
import re
import time
import unicodedata
from dataclasses import asdict, dataclass
from functools import lru_cache
from pathlib import PurePosixPath
from typing import Any, Iterable
from urllib.parse import parse_qsl, urlsplit, urlunsplit

DISCOVERY_SCHEMA = "cookieaudit.discovery/1"
PAGE_KINDS = ("product", "category", "cart", "privacy")


@dataclass(frozen=True)
class Link:
    """One ``<a href>`` of the home page as the browser resolved it."""

    href: str                 # absolute URL (the browser's ``a.href``)
    text: str = ""            # visible text
    label: str = ""           # aria-label, title or an image's alt
    rel: str = ""
    download: bool = False    # has a ``download`` attribute
    region: str = "main"      # header | nav | footer | card | main | other
    hreflang: str = ""        # hreflang or lang attribute of the link
    visible: bool = True
    raw: str = ""             # the href attribute as written (to tell a pure "#" fragment)

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> "Link":
        return cls(**{k: d[k] for k in cls.__dataclass_fields__ if k in d})


# --- words -----------------------------------------------------------------------------------------------------------
# matched as whole words (or path segment parts) on accent-folded, lower-cased text
KIND_WORDS: dict[str, tuple[str, ...]] = {
    "cart": ("winkelwagen", "winkelwagentje", "winkelmand", "winkelmandje", "mandje", "warenkorb", "einkaufswagen",
             "panier", "mon panier", "cart", "basket", "shopping bag", "shopping cart", "bag", "caddie"),
    "privacy": ("privacy", "privacybeleid", "privacyverklaring", "privacyreglement", "privacy policy",
                "privacy statement", "datenschutz", "datenschutzerklarung", "datenschutzhinweise",
                "confidentialite", "politique de confidentialite", "vie privee", "donnees personnelles",
                "protection des donnees", "cookiebeleid", "cookie policy", "cookieverklaring", "cookie-richtlinie",
                "politique cookies", "privacy-policy"),
    "category": ("categorie", "categorieen", "category", "categories", "collectie", "collecties", "collection",
                 "collections", "assortiment", "alle producten", "alle artikelen", "aanbod", "kategorie",
                 "kategorien", "sortiment", "alle produkte", "produktkategorien", "categorie", "rayon", "rayons",
                 "boutique", "catalogue", "catalog", "tous les produits", "all products", "shop all", "shop",
                 "winkel", "webshop", "producten", "products", "produkte", "produits", "artikelen", "artikel",
                 "angebote", "aanbiedingen", "offres", "sale", "nieuw", "new arrivals", "neuheiten", "nouveautes"),
    "product": ("bekijk product", "bekijk", "bekijken", "meer info", "details", "productdetails", "view product",
                "view", "more info", "buy now", "ansehen", "zum produkt", "produkt ansehen", "mehr erfahren",
                "voir le produit", "voir", "en savoir plus", "plus d'infos"),
}
# path segments that announce a kind (first matching segment; product needs a slug after it)
PRODUCT_PREFIXES = ("product", "products", "producten", "produkt", "produkte", "produit", "produits", "p", "item",
                    "items", "artikel", "artikelen", "article", "articles", "dp", "shop", "winkel", "boutique")
CATEGORY_SEGMENTS = ("category", "categories", "categorie", "categorieen", "c", "collections", "collection",
                     "collectie", "kategorie", "kategorien", "rayon", "catalog", "catalogue", "shop", "winkel",
                     "webshop", "boutique", "assortiment", "sortiment", "producten", "products", "produkte",
                     "produits", "product-category", "productcategorie", "aanbod")
CART_SEGMENTS = ("cart", "basket", "winkelwagen", "winkelmand", "winkelmandje", "mandje", "warenkorb", "panier",
                 "bag", "shopping-cart", "shoppingcart", "einkaufswagen", "caddie")
PRIVACY_SEGMENTS = ("privacy", "privacybeleid", "privacyverklaring", "privacy-policy", "privacyverklaring",
                    "privacy-statement", "datenschutz", "datenschutzerklarung", "confidentialite",
                    "politique-de-confidentialite", "vie-privee", "cookiebeleid", "cookie-policy", "cookies",
                    "privacyreglement", "donnees-personnelles")
# never followed
LOGOUT_WORDS = ("logout", "log out", "log-out", "signout", "sign out", "sign-out", "uitloggen", "afmelden",
                "abmelden", "ausloggen", "deconnexion", "se deconnecter", "deconnecter")
CHECKOUT_WORDS = ("checkout", "check out", "check-out", "afrekenen", "kassa", "bestelling plaatsen", "bestellen",
                  "place order", "order now", "zur kasse", "kasse", "bestellung abschicken", "jetzt kaufen",
                  "zahlungspflichtig bestellen", "commander", "valider la commande", "paiement", "payment", "pay now",
                  "betalen", "bezahlen", "passer la commande")
CHECKOUT_SEGMENTS = ("checkout", "afrekenen", "kassa", "kasse", "bestellen", "order", "orders", "payment", "pay",
                     "betalen", "bezahlen", "paiement", "commande", "commander", "onepage", "onestepcheckout")
CART_ACTION_QUERY = ("add-to-cart", "add_to_cart", "addtocart", "remove_item", "remove-item", "empty-cart",
                     "empty_cart", "logout", "action", "add", "remove", "delete", "clear")
DOWNLOAD_EXT = (".pdf", ".zip", ".rar", ".7z", ".gz", ".tgz", ".tar", ".bz2", ".xz", ".exe", ".msi", ".dmg", ".pkg",
                ".apk", ".iso", ".bin", ".doc", ".docx", ".xls", ".xlsx", ".ppt", ".pptx", ".odt", ".ods", ".odp",
                ".rtf", ".csv", ".txt", ".xml", ".json", ".ics", ".vcf", ".epub", ".mobi", ".jpg", ".jpeg", ".png",
                ".gif", ".webp", ".svg", ".avif", ".mp3", ".mp4", ".m4a", ".mov", ".avi", ".webm", ".wav", ".stl",
                ".step", ".stp", ".3mf", ".gcode", ".obj")
LANGUAGE_NAMES = {
    "nl": ("nederlands", "dutch", "niederlandisch", "neerlandais", "vlaams"),
    "de": ("deutsch", "german", "duits", "allemand"),
    "fr": ("francais", "french", "frans", "franzosisch"),
    "en": ("english", "engels", "englisch", "anglais"),
    "es": ("espanol", "spanish", "spaans", "spanisch", "espagnol"),
    "it": ("italiano", "italian", "italiaans", "italienisch", "italien"),
    "pl": ("polski", "polish", "pools", "polnisch", "polonais"),
}
LANG_CODES = ("nl", "de", "fr", "en", "es", "it", "pl", "pt", "da", "sv", "no", "fi", "cs", "hu", "ro")
REGION_BONUS = {"cart": ("header", "nav"), "privacy": ("footer",), "category": ("header", "nav"),
                "product": ("card", "main")}
REGION_RANK = {"nav": 0, "header": 1, "card": 2, "main": 3, "footer": 4, "other": 5}


def fold(s: str | None) -> str:
    """Lower case, accents removed, whitespace collapsed: 'Datenschutzerklärung' → 'datenschutzerklarung'."""
    s = unicodedata.normalize("NFKD", s or "")
    s = "".join(ch for ch in s if not unicodedata.combining(ch)).replace("\u2019", "'")
    return re.sub(r"\s+", " ", s).strip().lower()


def _has_word(words: Iterable[str], hay: str) -> str | None:
    for w in words:
        if re.search(rf"(?:^|[^a-z0-9]){re.escape(w)}(?:$|[^a-z0-9])", hay):
            return w
    return None


def _segments(path: str) -> list[str]:
    return [fold(s) for s in path.split("/") if s]


@lru_cache(maxsize=1)
def _extractor():
    from ..kb.parties import _extractor as kb_extractor  # the offline PSL snapshot (no network, no cache)

    return kb_extractor()


def registrable(host: str) -> str:
    """The registrable domain of a host (``shop.example.co.uk`` → ``example.co.uk``); the host itself if unknown."""
    host = (host or "").lower().strip(".")
    try:
        ext = _extractor()(host)
        top = getattr(ext, "top_domain_under_public_suffix", None) or getattr(ext, "registered_domain", None)
    except Exception:  # noqa: BLE001
        top = None
    return top or host


def normalise(url: str) -> str:
    """The URL without fragment and default port, host lower-cased; the path keeps its case."""
    p = urlsplit(url)
    host = (p.hostname or "").lower()
    port = f":{p.port}" if p.port and p.port not in (80, 443) else ""
    return urlunsplit((p.scheme.lower(), host + port, p.path or "/", p.query, ""))


def page_path(url: str) -> str:
    p = urlsplit(url)
    return (p.path or "/") + (f"?{p.query}" if p.query else "")


def classify(link: Link, home_url: str, locale: str) -> tuple[str | None, dict[str, int], str]:
    """(rejection or None, {kind: score}, what matched) of one link; pure."""
    rejection = _rejection(link, home_url, locale)
    if rejection:
        return rejection, {}, ""
    segs = _segments(urlsplit(link.href).path or "/")
    scores, why = _scores(link, segs, fold(" ".join(x for x in (link.text, link.label) if x)))
    return None, scores, why


def _rejection(link: Link, home_url: str, locale: str) -> str | None:
    """Why a link is never chosen (another scheme or site, a download, logout, checkout, a language switch …)."""
    raw = (link.raw or link.href or "").strip()
    p = urlsplit(link.href)
    scheme = p.scheme.lower()
    if raw.startswith("#"):
        return "fragment"
    if scheme not in ("http", "https"):
        return f"scheme {scheme or '?'}: not a page"
    host = (p.hostname or "").lower()
    home_host = (urlsplit(home_url).hostname or "").lower()
    if registrable(host) != registrable(home_host):
        return f"external site ({registrable(host)})"
    if host.removeprefix("www.") != home_host.removeprefix("www."):
        return f"another host of the site ({host}): the visits stay on {home_host}"
    if normalise(link.href) == normalise(home_url):
        return "home page itself"
    segs = _segments(p.path or "/")
    words = fold(" ".join(x for x in (link.text, link.label) if x))
    path_words = " ".join(re.split(r"[-_./]+", fold(p.path or "/")))
    if link.download or PurePosixPath(p.path.lower()).suffix in DOWNLOAD_EXT:
        return "download"
    if "nofollow" in link.rel.lower().split() and _has_word(LOGOUT_WORDS + CHECKOUT_WORDS, words + " " + path_words):
        return "nofollow action"
    m = _has_word(LOGOUT_WORDS, words) or _has_word(LOGOUT_WORDS, path_words)
    if m:
        return f"logout ({m!r})"
    cart_word = _has_word(KIND_WORDS["cart"], words) or any(s in CART_SEGMENTS for s in segs)
    m = _has_word(CHECKOUT_WORDS, words) or next((s for s in segs if s in CHECKOUT_SEGMENTS), None)
    if m and not (cart_word and not _has_word(CHECKOUT_WORDS, words)):
        return f"checkout / order ({m!r})"
    q = [k.lower() for k, _ in parse_qsl(p.query, keep_blank_values=True)]
    m = next((k for k in q if k in CART_ACTION_QUERY), None)
    if m:
        return f"state-changing action in the query ({m!r})"
    lang = locale.split("-")[0].lower()
    other = _other_language(link, segs, words, lang, urlsplit(home_url).path or "/")
    if other:
        return f"language switch to {other}"
    return None


def _scores(link: Link, segs: list[str], words: str) -> tuple[dict[str, int], str]:
    """{kind: score} of a link that may be chosen, and what matched."""
    scores: dict[str, int] = {}
    why: list[str] = []
    for kind in PAGE_KINDS:
        s = 0
        w = _has_word(KIND_WORDS[kind], words)
        if w:
            s += 3
            why.append(f"{kind}: text {w!r}")
        if kind == "product" and len(segs) >= 2 and segs[-2] in PRODUCT_PREFIXES:
            s += 2
            why.append(f"product: path /{segs[-2]}/<slug>")
        elif kind == "product" and segs and re.search(r"(?:^|[-_])(?:p|i|art|sku)?\d{3,}(?:\.html?)?$", segs[-1]):
            s += 2
            why.append("product: path ends in an article number")
        elif kind == "product" and len(segs) >= 2 and segs[-1].endswith((".html", ".htm")):
            s += 1
            why.append("product: path ends in .html")
        elif kind == "category" and segs and (segs[-1] in CATEGORY_SEGMENTS or
                                              (len(segs) >= 2 and segs[-2] in ("c", "category", "categorie",
                                                                                "categories", "collections",
                                                                                "kategorie", "product-category",
                                                                                "rayon"))):
            s += 2
            why.append(f"category: path /{'/'.join(segs[-2:])}")
        elif kind == "cart" and any(seg in CART_SEGMENTS for seg in segs):
            s += 2
            why.append("cart: path")
        elif kind == "privacy" and any(seg in PRIVACY_SEGMENTS or seg.startswith(("privacy", "datenschutz"))
                                       for seg in segs):
            s += 2
            why.append("privacy: path")
        if s:
            if link.region in REGION_BONUS[kind]:
                s += 1
            if link.visible:
                s += 1
            scores[kind] = s
    # /producten/<slug> is a product page whatever its text says ("Producten" in a menu): not the listing
    product_path = len(segs) >= 2 and segs[-2] in PRODUCT_PREFIXES
    category_path = any(w.startswith("category: path") for w in why)
    if product_path and not category_path:
        scores.pop("category", None)
        why = [w for w in why if not w.startswith("category")]
    return scores, "; ".join(why)


def _other_language(link: Link, segs: list[str], words: str, lang: str, home_path: str) -> str | None:
    hl = (link.hreflang or "").split("-")[0].lower()
    if hl and hl != lang and hl != "x":
        return hl
    for code, names in LANGUAGE_NAMES.items():
        if code != lang and (words in names or words == code):
            return code
    home_segs = _segments(home_path)
    if segs and segs[0] in LANG_CODES and segs[0] != lang and (not home_segs or home_segs[0] != segs[0]):
        return segs[0]
    return None


def select_pages(home_url: str, links: Iterable[Link | dict[str, Any]], locale: str = "en-GB") -> dict[str, Any]:
    """The pages to walk, from the home page's links: pure and deterministic (same links → same choice).

    Returns ``{"pages": [{"path", "url", "kind", "reason"}], "candidates": [{"url", "text", "region", "kinds",
    "chosen", "rejected"}]}``; the first page is always the home page.
    """
    home = normalise(home_url)
    home_path = page_path(home)
    items = [lk if isinstance(lk, Link) else Link.from_dict(lk) for lk in links]
    candidates: list[dict[str, Any]] = []
    seen: dict[str, dict[str, Any]] = {}
    scored: list[tuple[int, Link, str, dict[str, int]]] = []
    for i, lk in enumerate(items):
        rejected, scores, why = classify(lk, home_url, locale)
        url = normalise(lk.href) if urlsplit(lk.href).scheme.lower() in ("http", "https") else lk.href
        if rejected is None and url in seen:
            prev = seen[url]
            for k, s in scores.items():      # the same URL linked twice: its best reading counts
                prev["kinds"][k] = max(prev["kinds"].get(k, 0), s)
            continue
        kinds = dict(scores)
        entry = {"url": url[:300], "text": (lk.text or lk.label)[:80], "region": lk.region,
                 "kinds": kinds, "why": why, "chosen": None,
                 "rejected": rejected or (None if scores else "no page kind recognised")}
        candidates.append(entry)
        if rejected is None:
            seen[url] = entry
            scored.append((i, lk, url, kinds))
    pages = [{"path": home_path, "url": home, "kind": "home", "reason": "the home page: consent is given here"}]
    used = {home}
    for kind in PAGE_KINDS:
        best = None
        for i, lk, url, kinds in scored:
            s = kinds.get(kind, 0)
            if not s or url in used:
                continue
            # a link whose best reading is this kind beats one that reads better as another kind
            key = (s < max(kinds.values()), -s, i, len(url), url)
            if best is None or key < best[0]:
                best = (key, lk, url)
        if best is None:
            continue
        _, lk, url = best
        used.add(url)
        seen[url]["chosen"] = kind
        pages.append({"path": page_path(url), "url": url, "kind": kind,
                      "reason": f"best {kind} link (score {seen[url]['kinds'][kind]}: {seen[url]['why']}; "
                                f"in {lk.region}: {(lk.text or lk.label)[:60]!r})"})
    for c in candidates:
        if c["rejected"] is None and c["chosen"] is None:
            c["rejected"] = "another link of its kind scored higher" if c["kinds"] else "no page kind recognised"
    missing = [k for k in PAGE_KINDS if k not in {p["kind"] for p in pages}]
    return {"pages": pages, "candidates": candidates, "kinds_not_found": missing}


# --- the browser part ------------------------------------------------------------------------------------------------
LINKS_JS = """() => {
  const out = [];
  const region = (a) => {
    if (a.closest('nav, [role=navigation]')) return 'nav';
    if (a.closest('header, [role=banner]')) return 'header';
    if (a.closest('footer, [role=contentinfo]')) return 'footer';
    if (a.closest('article, [class*=product], [class*=card], [class*=tile], [itemtype*=Product]')) return 'card';
    if (a.closest('main, [role=main]')) return 'main';
    return 'other';
  };
  for (const a of Array.from(document.querySelectorAll('a[href], area[href]')).slice(0, 600)) {
    const img = a.querySelector('img[alt]');
    const r = a.getClientRects();
    const cs = window.getComputedStyle(a);
    out.push({href: a.href, raw: a.getAttribute('href') || '', text: (a.innerText || a.textContent || '').trim().slice(0, 200),
              label: (a.getAttribute('aria-label') || a.getAttribute('title') || (img && img.alt) || '').slice(0, 200),
              rel: a.getAttribute('rel') || '', download: a.hasAttribute('download'), region: region(a),
              hreflang: a.getAttribute('hreflang') || a.getAttribute('lang') || '',
              visible: r.length > 0 && cs.visibility !== 'hidden' && cs.display !== 'none'});
  }
  return out;
}"""


async def discover_pages(browser: Any, domain: Any, policy: Any, user_agent: str, *, run_dir: Any = None,
                         nav_timeout: float = 20.0, settle: float = 1.0, budget: float = 45.0) -> dict[str, Any]:
    """Load the home page in a fresh context, read its links and choose the pages (never raises)."""
    from .notsite import not_the_site, page_facts

    home_url = domain.url("/")
    started = time.monotonic()
    record: dict[str, Any] = {"schema": DISCOVERY_SCHEMA, "domain": domain.host, "home": {"url": home_url},
                              "pages": [{"path": "/", "url": home_url, "kind": "home",
                                         "reason": "the home page: consent is given here"}],
                              "candidates": [], "error": None}
    context = None
    try:
        context = await browser.new_context(
            locale=domain.locale, timezone_id=domain.timezone, user_agent=user_agent,
            viewport={"width": policy.viewport[0], "height": policy.viewport[1]}, accept_downloads=False)
        page = await context.new_page()
        page.on("dialog", lambda d: asyncio.ensure_future(d.dismiss()))
        context.on("page", lambda p: asyncio.ensure_future(p.close()) if p != page else None)

        async def load() -> None:
            resp = await page.goto(home_url, wait_until="load", timeout=nav_timeout * 1000)
            record["home"].update(status=resp.status if resp else None, final_url=page.url)
            try:
                await page.wait_for_load_state("networkidle", timeout=settle * 1000)
            except Exception:  # noqa: BLE001 - a page that never goes quiet still has its links
                pass
            facts = await page_facts(page)
            record["home"]["title"] = facts.get("title")
            verdict = not_the_site(record["home"].get("status"), facts.get("title"), facts.get("text"),
                                   facts.get("html"), facts.get("heading"))
            if verdict:
                record["home"]["not_site"] = verdict
                raise RuntimeError(verdict["reason"])
            final = record["home"]["final_url"]
            if registrable(urlsplit(final).hostname or "") != registrable(domain.host):
                raise RuntimeError(f"the home page redirected to another site: {final}")
            links = await page.evaluate(LINKS_JS)
            chosen = await _replace_failing(context, record, final, links, domain.locale, nav_timeout)
            record.update(pages=chosen["pages"], candidates=chosen["candidates"],
                          kinds_not_found=chosen["kinds_not_found"], links=len(links))

        await asyncio.wait_for(load(), timeout=budget)
    except asyncio.TimeoutError:
        record["error"] = f"discovery did not finish within {budget:.0f} s"
    except Exception as exc:  # noqa: BLE001 - recorded: the visits fall back to the home page
        record["error"] = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    finally:
        if context is not None:
            try:
                await asyncio.wait_for(context.close(), timeout=20)
            except Exception:  # noqa: BLE001
                pass
    if record["error"]:
        record["pages"] = record["pages"][:1]
        record["fallback"] = "the home page only"
    record["duration_s"] = round(time.monotonic() - started, 3)
    return record


async def _replace_failing(context: Any, record: dict[str, Any], final: str, links: list[dict[str, Any]], locale: str,
                           nav_timeout: float) -> dict[str, Any]:
    """The chosen pages, a chosen page that answers with an error (a stale "offers 2019" link) replaced by the
    next-best link of its kind: each probed once with the context's own request client, failures dropped, chosen
    again (at most three rounds); the probes are recorded."""
    chosen = select_pages(final, links, locale)
    probes: list[dict[str, Any]] = []
    failed: set[str] = set()
    async def probe(p: dict[str, Any]) -> dict[str, Any]:
        try:
            r = await context.request.get(p["url"], timeout=nav_timeout * 1000, max_redirects=5)
            status = r.status
            await r.dispose()
        except Exception as exc:  # noqa: BLE001 - recorded; the walk will record it too
            return {"url": p["url"], "kind": p["kind"], "error": str(exc).splitlines()[0][:200]}
        return {"url": p["url"], "kind": p["kind"], "status": status}

    for _round in range(3):
        seen = {x["url"] for x in probes}
        # side by side: one round trip for all the chosen pages instead of one after the other
        answers = await asyncio.gather(*(probe(p) for p in chosen["pages"][1:] if p["url"] not in seen))
        probes.extend(answers)
        bad = [a["url"] for a in answers if a.get("status") is not None and a["status"] >= 400]
        if not bad:
            break
        failed |= set(bad)
        chosen = select_pages(final, [lk for lk in links if normalise(lk.get("href") or "") not in failed
                                      and (lk.get("href") or "") not in failed], locale)
    if probes:
        record["probes"] = probes
        if failed:
            record["replaced"] = sorted(failed)
    return chosen


def fallback_record(domain: Any, error: str) -> dict[str, Any]:
    """The record of a discovery that could not run at all: the visits walk the home page only."""
    return {"schema": DISCOVERY_SCHEMA, "domain": domain.host,
            "pages": [{"path": "/", "url": domain.url("/"), "kind": "home", "reason": "the home page: consent is given here"}],
            "candidates": [], "fallback": "the home page only", "error": error}


def discovery_summary(record: dict[str, Any]) -> dict[str, Any]:
    """The part of a discovery record that findings.json carries inline (the full record is the file)."""
    return {"pages": [{k: p[k] for k in ("path", "kind", "reason")} for p in record.get("pages", [])],
            "home": record.get("home"), "error": record.get("error"),
            "kinds_not_found": record.get("kinds_not_found", []),
            "candidates": len(record.get("candidates", [])), "duration_s": record.get("duration_s")}


__all__ = ["Link", "select_pages", "classify", "discover_pages", "discovery_summary", "fallback_record", "registrable", "PAGE_KINDS",
           "DISCOVERY_SCHEMA", "asdict"]
