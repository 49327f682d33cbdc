"""The words on the shops' pages and banners, in Dutch (.nl/.be) and German (.de/.at).

French and English are used by variant worlds (:mod:`cookieaudit.world.variants`) only.

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
            {"nl": "PLA filament 1,75 mm – 1 kg", "de": "PLA-Filament 1,75 mm – 1 kg",
             "fr": "Filament PLA 1,75 mm – 1 kg", "en": "PLA filament 1.75 mm – 1 kg"},
            {"nl": "Makkelijk te printen, biologisch afbreekbaar en verkrijgbaar in 24 kleuren. Maattolerantie ±0,02 mm.",
             "de": "Einfach zu drucken, biologisch abbaubar und in 24 Farben erhältlich. Maßtoleranz ±0,02 mm.",
             "fr": "Facile à imprimer, biodégradable et disponible en 24 couleurs. Tolérance ±0,02 mm.",
             "en": "Easy to print, biodegradable and available in 24 colours. Diameter tolerance ±0.02 mm."},
            "#2f9e44"),
    Product("petg-filament", "O3D-PETG-175-1K", 24.95,
            {"nl": "PETG filament 1,75 mm – 1 kg", "de": "PETG-Filament 1,75 mm – 1 kg",
             "fr": "Filament PETG 1,75 mm – 1 kg", "en": "PETG filament 1.75 mm – 1 kg"},
            {"nl": "Sterk, slagvast en voedselveilig: ideaal voor functionele onderdelen.",
             "de": "Stark, schlagfest und lebensmittelecht: ideal für funktionale Bauteile.",
             "fr": "Solide, résistant aux chocs et alimentaire : idéal pour les pièces fonctionnelles.",
             "en": "Strong, impact-resistant and food-safe: ideal for functional parts."},
            "#1c7ed6"),
    Product("resin-grijs", "O3D-RES-GRY-1L", 34.95,
            {"nl": "Standaard resin grijs – 1 liter", "de": "Standard-Resin Grau – 1 Liter",
             "fr": "Résine standard grise – 1 litre", "en": "Standard resin grey – 1 litre"},
            {"nl": "Fijne details voor MSLA-printers, 405 nm.", "de": "Feine Details für MSLA-Drucker, 405 nm.",
             "fr": "Détails fins pour imprimantes MSLA, 405 nm.", "en": "Fine detail for MSLA printers, 405 nm."},
            "#868e96"),
    Product("o3d-mini", "O3D-MINI-V2", 249.00,
            {"nl": "O3D Mini 3D-printer", "de": "O3D Mini 3D-Drucker", "fr": "Imprimante 3D O3D Mini",
             "en": "O3D Mini 3D printer"},
            {"nl": "Compacte FDM-printer met automatische bedkalibratie, bouwvolume 180 × 180 × 180 mm.",
             "de": "Kompakter FDM-Drucker mit automatischer Bettnivellierung, Bauraum 180 × 180 × 180 mm.",
             "fr": "Imprimante FDM compacte avec calibrage automatique du plateau, volume 180 × 180 × 180 mm.",
             "en": "Compact FDM printer with automatic bed levelling, build volume 180 × 180 × 180 mm."},
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
    "fr": {
        "necessary": ("Cookies strictement nécessaires",
                      "Indispensables au panier et à la commande. Ces cookies sont toujours actifs."),
        "performance": ("Cookies de mesure d'audience",
                        "Des informations anonymes sur l'utilisation de la boutique, pour l'améliorer."),
        "functional": ("Cookies fonctionnels", "Mémorisent vos choix, comme la langue et la devise."),
        "targeting": ("Cookies publicitaires",
                      "Rendent la publicité plus pertinente, limitent sa fréquence et mesurent nos campagnes."),
    },
    "en": {
        "necessary": ("Strictly necessary cookies",
                      "Needed for the basket and checkout. These cookies are always active."),
        "performance": ("Performance cookies",
                        "Anonymous information about how visitors use the shop, so that we can improve it."),
        "functional": ("Functional cookies", "Remember your choices, such as language and currency."),
        "targeting": ("Targeting cookies",
                      "Make advertising more relevant, limit how often you see it and measure our campaigns."),
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
    "fr": {
        "tagline": "Filament, résine et imprimantes 3D – commandé aujourd'hui, livré demain",
        "nav_home": "Accueil", "nav_products": "Produits", "nav_cart": "Panier", "nav_privacy": "Confidentialité",
        "home_title": "L'impression 3D commence ici",
        "home_intro": "Tout pour votre imprimante 3D : filament en 24 couleurs, résine et imprimantes complètes. "
                      "Livraison gratuite dès 50 €.",
        "featured": "Produits populaires",
        "view": "Voir", "add_to_cart": "Ajouter au panier", "added": "Ajouté à votre panier",
        "in_stock": "En stock – commandé avant 22h00, livré demain",
        "vat": "TVA incluse",
        "cart_title": "Votre panier", "cart_empty": "Votre panier est vide.", "cart_total": "Total",
        "checkout": "Commander", "continue": "Continuer mes achats",
        "footer_about": "Online 3D SRL · Rue de l'Impression 3 · 1000 Bruxelles · BCE 0712.345.678",
        "cookie_settings": "Paramètres des cookies", "privacy_link": "Politique de confidentialité",
        "banner_title": "Nous utilisons des cookies",
        "banner_text": "Nous utilisons des cookies nécessaires au fonctionnement de la boutique. Avec votre accord, "
                       "nous utilisons aussi des cookies de mesure d'audience, de préférences et de publicité. "
                       "Vous pouvez modifier votre choix à tout moment.",
        "accept_all": "Tout accepter", "reject_all": "Tout refuser", "settings": "Personnaliser",
        "save": "Enregistrer", "preferences_title": "Préférences cookies", "manage": "Gérer mes préférences",
        "save_preferences": "Enregistrer mes choix", "close": "Fermer",
        "not_found": "Page introuvable",
    },
    "en": {
        "tagline": "Filament, resin and 3D printers – ordered today, delivered tomorrow",
        "nav_home": "Home", "nav_products": "Products", "nav_cart": "Basket", "nav_privacy": "Privacy",
        "home_title": "3D printing starts here",
        "home_intro": "Everything for your 3D printer: filament in 24 colours, resin and complete printers. "
                      "Free delivery from € 50.",
        "featured": "Popular products",
        "view": "View", "add_to_cart": "Add to basket", "added": "Added to your basket",
        "in_stock": "In stock – order before 10 pm, delivered tomorrow",
        "vat": "incl. VAT",
        "cart_title": "Your basket", "cart_empty": "Your basket is empty.", "cart_total": "Total",
        "checkout": "Checkout", "continue": "Continue shopping",
        "footer_about": "Online 3D Ltd · 3 Print Street · Eindhoven · Company no. 87654321",
        "cookie_settings": "Cookie settings", "privacy_link": "Privacy policy",
        "banner_title": "We use cookies",
        "banner_text": "We use necessary cookies to make the shop work. With your consent we also use cookies "
                       "for statistics, your preferences and relevant advertising. You can change your choice "
                       "at any time.",
        "accept_all": "Accept all", "reject_all": "Reject all", "settings": "Settings",
        "save": "Save", "preferences_title": "Cookie preferences", "manage": "Manage preferences",
        "save_preferences": "Save preferences", "close": "Close",
        "not_found": "Page not found",
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
    "fr": (("Google Tag Manager", "le chargement des balises d'analyse et de publicité"),
           ("Google Analytics", "analyser l'utilisation du site ; les adresses IP sont anonymisées"),
           ("Microsoft Clarity", "comprendre le comportement des utilisateurs sur le site"),
           ("Hotjar", "recueillir des avis et améliorer l'expérience utilisateur"),
           ("Brevo", "e-mail marketing et automatisation du marketing"),
           ("Google Ads", "l'affichage de publicités ciblées")),
    "en": (("Google Tag Manager", "loading the analytics and advertising tags"),
           ("Google Analytics", "analysing website use; IP addresses are anonymised"),
           ("Microsoft Clarity", "insight into user behaviour on the website"),
           ("Hotjar", "collecting feedback and improving the user experience"),
           ("Brevo", "e-mail marketing and marketing automation"),
           ("Google Ads", "showing targeted advertising")),
}
