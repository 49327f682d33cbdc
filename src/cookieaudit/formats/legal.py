"""The legal norms behind the rules, named and explained in words (nl, en, fr, de).

The dossier shows, under each violation, the norms of :data:`RULE_NORMS` (the national transposition of
ePrivacy art. 5(3) chosen by the finding's jurisdiction), and lists them in full in its legal appendix.
docs/legal-basis.md is the long form of the same text, with the sources. Norm ids are internal; readers only
ever see the names.
"""

from __future__ import annotations

from typing import Any

# national rule on storing / reading information on a device, per jurisdiction
NATIONAL = {"NL": "nl-tw-11-7a", "BE": "be-wvp-10-2", "DE": "de-tdddg-25", "AT": "at-tkg-165",
            "EU": "eprivacy-5-3"}

NORMS: dict[str, dict[str, Any]] = {
    "eprivacy-5-3": {
        "name": {"nl": "ePrivacyrichtlijn 2002/58/EG, art. 5 lid 3 (gewijzigd bij Richtlijn 2009/136/EG)",
                 "en": "ePrivacy Directive 2002/58/EC, art. 5(3) (as amended by Directive 2009/136/EC)",
                 "fr": "Directive vie privée et communications électroniques 2002/58/CE, art. 5, § 3 (modifiée par la directive 2009/136/CE)",
                 "de": "ePrivacy-Richtlinie 2002/58/EG, Art. 5 Abs. 3 (geändert durch Richtlinie 2009/136/EG)"},
        "text": {"nl": "Informatie op het apparaat van de bezoeker opslaan of uitlezen mag alleen met diens toestemming, na duidelijke informatie; uitgezonderd is alleen wat strikt noodzakelijk is voor de gevraagde dienst of voor de verzending.",
                 "en": "Storing information on the visitor's device, or reading it, is allowed only with the visitor's consent after clear information; the only exceptions are what is strictly necessary for the requested service or for the transmission.",
                 "fr": "Stocker des informations sur l’appareil du visiteur, ou y accéder, n’est permis qu’avec son consentement après une information claire ; seules exceptions : ce qui est strictement nécessaire au service demandé ou à la transmission.",
                 "de": "Informationen auf dem Gerät des Besuchers zu speichern oder auszulesen ist nur mit seiner Einwilligung nach klarer Information erlaubt; ausgenommen ist nur, was für den gewünschten Dienst oder die Übertragung unbedingt erforderlich ist."},
    },
    "nl-tw-11-7a": {
        "name": {"nl": "Telecommunicatiewet, art. 11.7a", "en": "Dutch Telecommunications Act (Telecommunicatiewet), art. 11.7a",
                 "fr": "Loi néerlandaise sur les télécommunications (Telecommunicatiewet), art. 11.7a",
                 "de": "Niederländisches Telekommunikationsgesetz (Telecommunicatiewet), Art. 11.7a"},
        "text": {"nl": "De Nederlandse omzetting van art. 5 lid 3: cookies en vergelijkbare technieken alleen met toestemming; lid 3 sub b staat alleen analytische cookies met geen of geringe gevolgen voor de privacy zonder toestemming toe.",
                 "en": "The Dutch transposition of art. 5(3): cookies and similar techniques only with consent; paragraph 3(b) exempts only analytics with no or minor consequences for privacy.",
                 "fr": "La transposition néerlandaise de l’art. 5, § 3 : cookies et techniques similaires uniquement avec consentement ; le paragraphe 3, b) n’exempte que la mesure d’audience sans conséquence, ou avec une conséquence minime, pour la vie privée.",
                 "de": "Die niederländische Umsetzung von Art. 5 Abs. 3: Cookies und ähnliche Techniken nur mit Einwilligung; Absatz 3 Buchst. b nimmt nur Reichweitenmessung ohne oder mit geringen Folgen für die Privatsphäre aus."},
    },
    "be-wvp-10-2": {
        "name": {"nl": "Wet van 30 juli 2018 betreffende de bescherming van natuurlijke personen (België), art. 10/2 (voorheen art. 129 WEC)",
                 "en": "Belgian Act of 30 July 2018 on the protection of natural persons, art. 10/2 (formerly art. 129 of the Electronic Communications Act)",
                 "fr": "Loi belge du 30 juillet 2018 relative à la protection des personnes physiques, art. 10/2 (anciennement art. 129 de la loi relative aux communications électroniques)",
                 "de": "Belgisches Gesetz vom 30. Juli 2018 über den Schutz natürlicher Personen, Art. 10/2 (früher Art. 129 des Gesetzes über die elektronische Kommunikation)"},
        "text": {"nl": "De Belgische omzetting van art. 5 lid 3: zonder toestemming alleen strikt noodzakelijke cookies; er is geen uitzondering voor analytische cookies.",
                 "en": "The Belgian transposition of art. 5(3): without consent only strictly necessary cookies; there is no exemption for analytics.",
                 "fr": "La transposition belge de l’art. 5, § 3 : sans consentement, uniquement les cookies strictement nécessaires ; il n’y a pas d’exemption pour la mesure d’audience.",
                 "de": "Die belgische Umsetzung von Art. 5 Abs. 3: ohne Einwilligung nur unbedingt erforderliche Cookies; eine Ausnahme für Reichweitenmessung gibt es nicht."},
    },
    "de-tdddg-25": {
        "name": {"nl": "TDDDG (Duitsland), § 25", "en": "German TDDDG, § 25", "fr": "TDDDG (Allemagne), § 25",
                 "de": "Telekommunikation-Digitale-Dienste-Datenschutz-Gesetz (TDDDG), § 25"},
        "text": {"nl": "De Duitse omzetting van art. 5 lid 3 (tot 14 mei 2024 TTDSG): toegang tot het apparaat alleen met toestemming, behalve voor de verzending of wat onbedingt noodzakelijk is voor de gevraagde dienst.",
                 "en": "The German transposition of art. 5(3) (TTDSG until 14 May 2024): access to the device only with consent, except for the transmission or what is strictly necessary for the requested service.",
                 "fr": "La transposition allemande de l’art. 5, § 3 (TTDSG jusqu’au 14 mai 2024) : accès à l’appareil uniquement avec consentement, sauf pour la transmission ou ce qui est strictement nécessaire au service demandé.",
                 "de": "Die deutsche Umsetzung von Art. 5 Abs. 3 (bis 14. Mai 2024 TTDSG): Zugriff auf die Endeinrichtung nur mit Einwilligung, außer für die Übertragung oder was für den gewünschten Dienst unbedingt erforderlich ist."},
    },
    "at-tkg-165": {
        "name": {"nl": "Telekommunikationsgesetz 2021 (Oostenrijk), § 165 lid 3", "en": "Austrian Telecommunications Act 2021 (TKG 2021), § 165(3)",
                 "fr": "Loi autrichienne sur les télécommunications 2021 (TKG 2021), § 165, al. 3",
                 "de": "Telekommunikationsgesetz 2021 (TKG 2021), § 165 Abs. 3"},
        "text": {"nl": "De Oostenrijkse omzetting van art. 5 lid 3: opslaan of uitlezen alleen met toestemming na informatie, ook over de bewaartermijn; uitgezonderd alleen de verzending en het strikt noodzakelijke.",
                 "en": "The Austrian transposition of art. 5(3): storing or reading only with consent after information, including on the storage period; exempt are only the transmission and what is strictly necessary.",
                 "fr": "La transposition autrichienne de l’art. 5, § 3 : stockage ou lecture uniquement avec consentement après information, y compris sur la durée de conservation ; seules exceptions : la transmission et le strictement nécessaire.",
                 "de": "Die österreichische Umsetzung von Art. 5 Abs. 3: Speichern oder Auslesen nur mit Einwilligung nach Information, auch über die Speicherdauer; ausgenommen sind nur die Übertragung und das unbedingt Erforderliche."},
    },
    "gdpr-4-11": {
        "name": {"nl": "AVG (Verordening (EU) 2016/679), art. 4 punt 11 en overweging 32", "en": "GDPR (Regulation (EU) 2016/679), art. 4(11) and recital 32",
                 "fr": "RGPD (règlement (UE) 2016/679), art. 4, point 11, et considérant 32",
                 "de": "DSGVO (Verordnung (EU) 2016/679), Art. 4 Nr. 11 und Erwägungsgrund 32"},
        "text": {"nl": "Toestemming is een vrije, specifieke, geïnformeerde en ondubbelzinnige wilsuiting door een actieve handeling; stilzwijgen, vooraf aangevinkte vakjes of niets doen is geen toestemming.",
                 "en": "Consent is a freely given, specific, informed and unambiguous indication of wishes by a clear affirmative act; silence, pre-ticked boxes or inactivity are not consent.",
                 "fr": "Le consentement est une manifestation de volonté libre, spécifique, éclairée et univoque, par un acte positif clair ; le silence, les cases cochées par défaut ou l’inactivité ne valent pas consentement.",
                 "de": "Einwilligung ist eine freiwillige, bestimmte, informierte und unmissverständliche Willensbekundung durch eine eindeutige bestätigende Handlung; Stillschweigen, vorangekreuzte Kästchen oder Untätigkeit sind keine Einwilligung."},
    },
    "gdpr-7": {
        "name": {"nl": "AVG, art. 7 (voorwaarden voor toestemming)", "en": "GDPR, art. 7 (conditions for consent)",
                 "fr": "RGPD, art. 7 (conditions applicables au consentement)", "de": "DSGVO, Art. 7 (Bedingungen für die Einwilligung)"},
        "text": {"nl": "De verwerkingsverantwoordelijke moet de toestemming kunnen aantonen (lid 1); intrekken moet altijd kunnen en even eenvoudig zijn als toestemming geven (lid 3); toegang mag niet afhangen van onnodige toestemming (lid 4).",
                 "en": "The controller must be able to demonstrate consent (para. 1); withdrawal must be possible at any time and as easy as giving consent (para. 3); access must not depend on unnecessary consent (para. 4).",
                 "fr": "Le responsable du traitement doit pouvoir démontrer le consentement (§ 1) ; le retrait doit être possible à tout moment et aussi simple que le consentement (§ 3) ; l’accès ne peut dépendre d’un consentement non nécessaire (§ 4).",
                 "de": "Der Verantwortliche muss die Einwilligung nachweisen können (Abs. 1); der Widerruf muss jederzeit möglich und so einfach wie die Erteilung sein (Abs. 3); der Zugang darf nicht von einer unnötigen Einwilligung abhängen (Abs. 4)."},
    },
    "gdpr-13": {
        "name": {"nl": "AVG, art. 13 lid 1 onder e (ontvangers)", "en": "GDPR, art. 13(1)(e) (recipients)",
                 "fr": "RGPD, art. 13, § 1, e) (destinataires)", "de": "DSGVO, Art. 13 Abs. 1 Buchst. e (Empfänger)"},
        "text": {"nl": "De bezoeker moet worden verteld aan welke ontvangers zijn gegevens gaan; een partij die niet wordt genoemd, valt buiten de gegeven informatie en dus buiten de toestemming.",
                 "en": "The visitor must be told which recipients receive the data; a party that is not named lies outside the information given, and so outside the consent.",
                 "fr": "Le visiteur doit être informé des destinataires de ses données ; un tiers non nommé sort de l’information donnée, et donc du consentement.",
                 "de": "Der Besucher muss erfahren, welche Empfänger seine Daten erhalten; ein nicht genannter Anbieter liegt außerhalb der Information und damit außerhalb der Einwilligung."},
    },
    "gdpr-5-1-e": {
        "name": {"nl": "AVG, art. 5 lid 1 onder e (opslagbeperking)", "en": "GDPR, art. 5(1)(e) (storage limitation)",
                 "fr": "RGPD, art. 5, § 1, e) (limitation de la conservation)", "de": "DSGVO, Art. 5 Abs. 1 Buchst. e (Speicherbegrenzung)"},
        "text": {"nl": "Gegevens mogen niet langer worden bewaard dan nodig; een cookie die langer leeft dan het beleid zegt of dan nodig is, gaat daartegen in.",
                 "en": "Data must not be kept longer than necessary; a cookie that lives longer than the policy states or than needed goes against this.",
                 "fr": "Les données ne peuvent être conservées plus longtemps que nécessaire ; un cookie qui vit plus longtemps que ne l’indique la politique ou que nécessaire y contrevient.",
                 "de": "Daten dürfen nicht länger als nötig gespeichert werden; ein Cookie, das länger lebt als in der Erklärung angegeben oder als nötig, verstößt dagegen."},
    },
    "gdpr-44": {
        "name": {"nl": "AVG, art. 44–45; Uitvoeringsbesluit (EU) 2023/1795 van 10 juli 2023", "en": "GDPR, art. 44–45; Commission Implementing Decision (EU) 2023/1795 of 10 July 2023",
                 "fr": "RGPD, art. 44–45 ; décision d’exécution (UE) 2023/1795 du 10 juillet 2023",
                 "de": "DSGVO, Art. 44–45; Durchführungsbeschluss (EU) 2023/1795 vom 10. Juli 2023"},
        "text": {"nl": "Doorgifte buiten de EER vraagt een grondslag zoals het adequaatheidsbesluit voor het EU-VS-gegevensprivacykader; een belofte dat alles in de EER blijft, is dan onjuist.",
                 "en": "Transfers outside the EEA need a basis such as the adequacy decision for the EU-US Data Privacy Framework; a promise that everything stays in the EEA is then untrue.",
                 "fr": "Un transfert hors de l’EEE exige une base, telle que la décision d’adéquation relative au cadre de protection des données UE–États-Unis ; la promesse que tout reste dans l’EEE est alors inexacte.",
                 "de": "Übermittlungen außerhalb des EWR brauchen eine Grundlage wie den Angemessenheitsbeschluss zum EU-US-Datenschutzrahmen; die Zusage, alles bleibe im EWR, ist dann unzutreffend."},
    },
    "gdpr-32": {
        "name": {"nl": "AVG, art. 32 (beveiliging)", "en": "GDPR, art. 32 (security of processing)",
                 "fr": "RGPD, art. 32 (sécurité du traitement)", "de": "DSGVO, Art. 32 (Sicherheit der Verarbeitung)"},
        "text": {"nl": "Passende technische maatregelen, zoals een geldige versleutelde verbinding.",
                 "en": "Appropriate technical measures, such as a valid encrypted connection.",
                 "fr": "Des mesures techniques appropriées, comme une connexion chiffrée valide.",
                 "de": "Geeignete technische Maßnahmen, etwa eine gültige verschlüsselte Verbindung."},
    },
    "cjeu-planet49": {
        "name": {"nl": "HvJ EU 1 oktober 2019, C-673/17 (Planet49)", "en": "CJEU, 1 October 2019, C-673/17 (Planet49)",
                 "fr": "CJUE, 1er octobre 2019, C-673/17 (Planet49)", "de": "EuGH, 1. Oktober 2019, C-673/17 (Planet49)"},
        "text": {"nl": "Een vooraf aangevinkt vakje is geen geldige toestemming; de regel geldt of het nu om persoonsgegevens gaat of niet; de bezoeker moet horen hoe lang cookies leven en of derden erbij kunnen.",
                 "en": "A pre-ticked box is not valid consent; the rule applies whether or not the data are personal data; the visitor must be told how long cookies last and whether third parties can access them.",
                 "fr": "Une case cochée par défaut n’est pas un consentement valable ; la règle s’applique qu’il s’agisse ou non de données personnelles ; le visiteur doit savoir combien de temps vivent les cookies et si des tiers y ont accès.",
                 "de": "Ein vorangekreuztes Kästchen ist keine wirksame Einwilligung; die Regel gilt unabhängig davon, ob personenbezogene Daten betroffen sind; der Besucher muss die Laufzeit der Cookies und den Zugriff Dritter erfahren."},
    },
    "edpb-05-2020": {
        "name": {"nl": "EDPB, Richtsnoeren 05/2020 inzake toestemming (4 mei 2020)", "en": "EDPB Guidelines 05/2020 on consent (4 May 2020)",
                 "fr": "CEPD, lignes directrices 05/2020 sur le consentement (4 mai 2020)", "de": "EDSA, Leitlinien 05/2020 zur Einwilligung (4. Mai 2020)"},
        "text": {"nl": "Een cookiemuur geeft geen vrije keuze, en doorscrollen of verder surfen is geen toestemming.",
                 "en": "A cookie wall gives no free choice, and scrolling or browsing on is not consent.",
                 "fr": "Un mur de cookies ne laisse pas de libre choix, et faire défiler la page ou continuer à naviguer ne vaut pas consentement.",
                 "de": "Eine Cookie-Wall lässt keine freie Wahl, und Scrollen oder Weitersurfen ist keine Einwilligung."},
    },
    "edpb-2-2023": {
        "name": {"nl": "EDPB, Richtsnoeren 2/2023 over de technische reikwijdte van art. 5 lid 3 (versie 2.0, 7 oktober 2024)",
                 "en": "EDPB Guidelines 2/2023 on the technical scope of art. 5(3) ePrivacy Directive (version 2.0, 7 October 2024)",
                 "fr": "CEPD, lignes directrices 2/2023 sur la portée technique de l’art. 5, § 3 (version 2.0, 7 octobre 2024)",
                 "de": "EDSA, Leitlinien 2/2023 zum technischen Anwendungsbereich von Art. 5 Abs. 3 (Version 2.0, 7. Oktober 2024)"},
        "text": {"nl": "Niet alleen cookies: ook pixels, scripts die gegevens van het apparaat versturen, localStorage en unieke identificatoren vallen onder de toestemmingsplicht.",
                 "en": "Not only cookies: pixels, scripts that send data from the device, localStorage and unique identifiers also need consent.",
                 "fr": "Pas seulement les cookies : pixels, scripts qui envoient des données de l’appareil, localStorage et identifiants uniques exigent aussi le consentement.",
                 "de": "Nicht nur Cookies: auch Pixel, Skripte, die Daten vom Gerät senden, localStorage und eindeutige Kennungen brauchen eine Einwilligung."},
    },
    "edpb-cbtf": {
        "name": {"nl": "EDPB, rapport van de Cookie Banner Taskforce (17 januari 2023)", "en": "EDPB, report of the Cookie Banner Taskforce (17 January 2023)",
                 "fr": "CEPD, rapport de la task force sur les bandeaux cookies (17 janvier 2023)", "de": "EDSA, Bericht der Cookie-Banner-Taskforce (17. Januar 2023)"},
        "text": {"nl": "Weigeren hoort in de eerste laag en even opvallend als accepteren; geen vooraf aangevinkte keuzes; intrekken moet even makkelijk zijn.",
                 "en": "Refusal belongs on the first layer and as prominent as acceptance; no pre-ticked choices; withdrawing must be as easy.",
                 "fr": "Le refus doit figurer au premier niveau et être aussi visible que l’acceptation ; pas de choix précochés ; le retrait doit être aussi facile.",
                 "de": "Ablehnen gehört auf die erste Ebene und muss so auffällig sein wie Akzeptieren; keine vorangekreuzten Optionen; Widerrufen muss ebenso einfach sein."},
    },
}

RULE_NORMS: dict[str, tuple[str, ...]] = {
    "pre-consent-tracking": ("national", "eprivacy-5-3", "edpb-2-2023"),
    "tracking-after-reject": ("national", "eprivacy-5-3", "gdpr-4-11"),
    "tracking-after-withdraw": ("gdpr-7", "national", "eprivacy-5-3"),
    "category-violation": ("gdpr-4-11", "national"),
    "consent-signal-mismatch": ("gdpr-4-11", "cjeu-planet49"),
    "consent-mode-cookieless-ping": ("edpb-2-2023", "national"),
    "de-gtm-before-consent": ("national", "edpb-2-2023"),
    "de-google-fonts-before-consent": ("national", "edpb-2-2023"),
    "undeclared-tracker": ("gdpr-13", "cjeu-planet49"),
    "unknown-third-party": ("gdpr-13",),
    "undeclared-cookie": ("national", "cjeu-planet49"),
    "cookie-lifetime": ("gdpr-5-1-e", "cjeu-planet49"),
    "non-eea-recipient": ("gdpr-44",),
    "ga-ip-not-anonymised": ("nl-tw-11-7a",),
    "nl-analytics-exemption": ("nl-tw-11-7a",),
    "banner-no-reject-first-layer": ("gdpr-7", "edpb-cbtf"),
    "banner-reject-less-prominent": ("gdpr-4-11", "edpb-cbtf"),
    "banner-pre-ticked": ("gdpr-4-11", "cjeu-planet49", "edpb-cbtf"),
    "banner-no-granular-choice": ("gdpr-4-11", "edpb-05-2020"),
    "cookie-wall": ("gdpr-7", "edpb-05-2020"),
    "consent-by-scrolling": ("gdpr-4-11", "edpb-05-2020"),
    "consent-not-persisted": ("gdpr-7", "edpb-cbtf"),
    "consent-not-verified": ("gdpr-7",),
    "consent-category-not-offered": ("gdpr-4-11", "gdpr-13"),
    "declared-not-observed": ("gdpr-13",),
    "tls-certificate-invalid": ("gdpr-32",),
    "page-unavailable": (),
}


def norms_for(rule: str, jurisdiction: str | None) -> list[str]:
    """The norm ids a finding of ``rule`` in ``jurisdiction`` rests on (national law first where it applies)."""
    out: list[str] = []
    for n in RULE_NORMS.get(rule, ()):
        nid = NATIONAL.get(jurisdiction or "EU", "eprivacy-5-3") if n == "national" else n
        if nid not in out:
            out.append(nid)
    return out


def norm(nid: str, lang: str) -> dict[str, str]:
    n = NORMS[nid]
    return {"id": nid, "name": n["name"][lang], "text": n["text"][lang]}
