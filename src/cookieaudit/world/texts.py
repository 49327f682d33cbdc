"""The words on the shops' pages and banners, in Dutch (.nl/.be) and German (.de/.at).

Kept apart from the markup so templates stay readable and a shop's language is one lookup.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Product:
    slug: str
    sku: str
    price: float
    name: dict[str, str]
    blurb: dict[str, str]
    colour: str

    def price_text(self) -> str:
        return f"€ {self.price:.2f}".replace(".", ",")


PRODUCTS: tuple[Product, ...] = (
    Product("pla-filament", "O3D-PLA-175-1K", 19.95,
            {"nl": "PLA filament 1,75 mm – 1 kg", "de": "PLA-Filament 1,75 mm – 1 kg"},
            {"nl": "Makkelijk te printen, biologisch afbreekbaar en verkrijgbaar in 24 kleuren. Maattolerantie ±0,02 mm.",
             "de": "Einfach zu drucken, biologisch abbaubar und in 24 Farben erhältlich. Maßtoleranz ±0,02 mm."},
            "#2f9e44"),
    Product("petg-filament", "O3D-PETG-175-1K", 24.95,
            {"nl": "PETG filament 1,75 mm – 1 kg", "de": "PETG-Filament 1,75 mm – 1 kg"},
            {"nl": "Sterk, slagvast en voedselveilig: ideaal voor functionele onderdelen.",
             "de": "Stark, schlagfest und lebensmittelecht: ideal für funktionale Bauteile."},
            "#1c7ed6"),
    Product("resin-grijs", "O3D-RES-GRY-1L", 34.95,
            {"nl": "Standaard resin grijs – 1 liter", "de": "Standard-Resin Grau – 1 Liter"},
            {"nl": "Fijne details voor MSLA-printers, 405 nm.", "de": "Feine Details für MSLA-Drucker, 405 nm."},
            "#868e96"),
    Product("o3d-mini", "O3D-MINI-V2", 249.00,
            {"nl": "O3D Mini 3D-printer", "de": "O3D Mini 3D-Drucker"},
            {"nl": "Compacte FDM-printer met automatische bedkalibratie, bouwvolume 180 × 180 × 180 mm.",
             "de": "Kompakter FDM-Drucker mit automatischer Bettnivellierung, Bauraum 180 × 180 × 180 mm."},
            "#e8590c"),
)
PRODUCTS_BY_SLUG: dict[str, Product] = {p.slug: p for p in PRODUCTS}

# Category names as the privacy policy (art. 15) uses them; every banner shows these words.
CATEGORY_TEXTS: dict[str, dict[str, tuple[str, str]]] = {
    "nl": {
        "necessary": ("Strikt noodzakelijke cookies",
                      "Nodig voor de winkelwagen en het afrekenen. Deze cookies zijn altijd actief."),
        "performance": ("Prestatiecookies",
                        "Anonieme informatie over hoe bezoekers de webshop gebruiken, zodat wij hem kunnen verbeteren."),
        "functional": ("Functionele cookies", "Onthouden uw keuzes, zoals taal en valuta."),
        "targeting": ("Targetingcookies",
                      "Maken advertenties relevanter, beperken hoe vaak u ze ziet en meten onze campagnes."),
    },
    "de": {
        "necessary": ("Technisch notwendige Cookies",
                      "Erforderlich für Warenkorb und Bestellung. Diese Cookies sind immer aktiv."),
        "performance": ("Statistik-Cookies",
                        "Anonyme Informationen darüber, wie Besucher den Shop nutzen, damit wir ihn verbessern können."),
        "functional": ("Funktionale Cookies", "Speichern Ihre Auswahl, etwa Sprache und Währung."),
        "targeting": ("Marketing-Cookies",
                      "Machen Werbung relevanter, begrenzen, wie oft Sie sie sehen, und messen unsere Kampagnen."),
    },
}

UI: dict[str, dict[str, str]] = {
    "nl": {
        "tagline": "Filament, resin en 3D-printers – vandaag besteld, morgen in huis",
        "nav_home": "Home", "nav_products": "Producten", "nav_cart": "Winkelwagen", "nav_privacy": "Privacy",
        "home_title": "3D-printen begint hier",
        "home_intro": "Alles voor uw 3D-printer: filament in 24 kleuren, resin en complete printers. "
                      "Gratis verzending vanaf € 50.",
        "featured": "Populaire producten",
        "view": "Bekijken", "add_to_cart": "In winkelwagen", "added": "Toegevoegd aan uw winkelwagen",
        "in_stock": "Op voorraad – voor 22:00 besteld, morgen in huis",
        "vat": "incl. btw",
        "cart_title": "Uw winkelwagen", "cart_empty": "Uw winkelwagen is leeg.", "cart_total": "Totaal",
        "checkout": "Afrekenen", "continue": "Verder winkelen",
        "footer_about": "Online 3D B.V. · Printstraat 3 · 5611 AB Eindhoven · KvK 87654321",
        "cookie_settings": "Cookie-instellingen", "privacy_link": "Privacybeleid",
        "banner_title": "Wij gebruiken cookies",
        "banner_text": "Wij gebruiken noodzakelijke cookies om de webshop te laten werken. Met uw toestemming "
                       "gebruiken wij ook cookies voor statistieken, uw voorkeuren en relevante advertenties. "
                       "U kunt uw keuze altijd wijzigen.",
        "accept_all": "Alles accepteren", "reject_all": "Alles weigeren", "settings": "Instellingen",
        "save": "Opslaan", "preferences_title": "Cookievoorkeuren", "manage": "Voorkeuren beheren",
        "save_preferences": "Voorkeuren opslaan", "close": "Sluiten",
        "not_found": "Pagina niet gevonden",
    },
    "de": {
        "tagline": "Filament, Resin und 3D-Drucker – heute bestellt, morgen geliefert",
        "nav_home": "Startseite", "nav_products": "Produkte", "nav_cart": "Warenkorb", "nav_privacy": "Datenschutz",
        "home_title": "3D-Druck beginnt hier",
        "home_intro": "Alles für Ihren 3D-Drucker: Filament in 24 Farben, Resin und komplette Drucker. "
                      "Versandkostenfrei ab 50 €.",
        "featured": "Beliebte Produkte",
        "view": "Ansehen", "add_to_cart": "In den Warenkorb", "added": "Zum Warenkorb hinzugefügt",
        "in_stock": "Auf Lager – bis 22:00 Uhr bestellt, morgen geliefert",
        "vat": "inkl. MwSt.",
        "cart_title": "Ihr Warenkorb", "cart_empty": "Ihr Warenkorb ist leer.", "cart_total": "Summe",
        "checkout": "Zur Kasse", "continue": "Weiter einkaufen",
        "footer_about": "Online 3D GmbH · Druckgasse 3 · 1010 Wien · FN 512345a",
        "cookie_settings": "Cookie-Einstellungen", "privacy_link": "Datenschutzerklärung",
        "banner_title": "Wir verwenden Cookies",
        "banner_text": "Wir verwenden technisch notwendige Cookies, damit der Shop funktioniert. Mit Ihrer "
                       "Einwilligung verwenden wir auch Cookies für Statistiken, Ihre Präferenzen und passende Werbung. "
                       "Sie können Ihre Auswahl jederzeit ändern.",
        "accept_all": "Alle akzeptieren", "reject_all": "Alle ablehnen", "settings": "Einstellungen",
        "save": "Speichern", "preferences_title": "Cookie-Einstellungen", "manage": "Einstellungen verwalten",
        "save_preferences": "Auswahl speichern", "close": "Schließen",
        "not_found": "Seite nicht gefunden",
    },
}

# The declared services, as the privacy policy lists them (art. 5 and 13), with the stated purpose.
DECLARED_SERVICES: dict[str, tuple[tuple[str, str], ...]] = {
    "nl": (("Google Tag Manager", "het laden van de analyse- en advertentietags"),
           ("Google Analytics", "websitegebruik analyseren; IP-adressen worden geanonimiseerd"),
           ("Microsoft Clarity", "inzicht in gebruikersgedrag op de website"),
           ("Hotjar", "feedback verzamelen en de gebruikerservaring verbeteren"),
           ("Brevo", "e-mailmarketing en marketingautomatisering"),
           ("Google Ads", "het tonen van gerichte advertenties")),
    "de": (("Google Tag Manager", "Laden der Analyse- und Werbe-Tags"),
           ("Google Analytics", "Analyse der Website-Nutzung; IP-Adressen werden anonymisiert"),
           ("Microsoft Clarity", "Einblick in das Nutzerverhalten auf der Website"),
           ("Hotjar", "Feedback sammeln und die Nutzererfahrung verbessern"),
           ("Brevo", "E-Mail-Marketing und Marketing-Automatisierung"),
           ("Google Ads", "Anzeige zielgerichteter Werbung")),
}
