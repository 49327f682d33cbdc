"""policy check against a local HTTPS server (trustme CA, real host names via --resolve, SNI verification)."""

from __future__ import annotations

import asyncio
import json
import socket
import threading
from pathlib import Path

import pytest

from cookieaudit.errors import ConfigError
from cookieaudit.gate.policy_check import check_policies, find_retention, find_vendors, statements, vendor_aliases

trustme = pytest.importorskip("trustme")
web = pytest.importorskip("aiohttp.web")

ROOT = Path(__file__).resolve().parents[1]
EXP = ROOT / "expectations" / "online-3d.yaml"
HOSTS = ["online-3d-printen.nl", "online-3d-winkel.nl", "online-3d-printen.be", "online-3d-drucken.at",
         "online-3d-drucken.de"]

NL_POLICY = """<!doctype html><html lang="nl"><head><title>Privacybeleid</title><script>var x="Meta Pixel";</script></head>
<body><nav><a href="/">Home</a> <a href="https://facebook.com/o3d">Facebook</a></nav>
<main><h1>Privacybeleid</h1>
<h2>Artikel 5: Gegevensdeling met Derde Partijen</h2>
<p>Wij delen persoonsgegevens niet met derden, behalve met de volgende diensten voor tracking en marketing:</p>
<ul>{vendors}</ul>
<h2>Artikel 6: Bewaartermijn van Gegevens</h2>
<ul><li>Bestelgegevens en betalingsinformatie: 7 jaar, conform fiscale bewaarplicht.</li>
<li>Contactgegevens: 2 jaar na de laatste interactie.</li>
<li>Technische gegevens (IP-adressen, browsertype, besturingssysteem): <strong>{retention}</strong>, tenzij een
langere bewaartermijn wettelijk vereist is.</li></ul>
</main><footer>© Online 3D</footer></body></html>"""

DE_POLICY = """<!doctype html><html lang="de"><body><article><h1>Datenschutzerklärung</h1>
<p>Wir geben personenbezogene Daten nur an folgende Dienste weiter:</p>
<table><tr><th>Dienst</th><th>Zweck</th></tr>{rows}</table>
<h2>Speicherdauer</h2>
<p>Bestelldaten: zehn Jahre.<br>Technische Daten (IP-Adressen, Browsertyp, Betriebssystem): zwölf Monate.</p>
</article></body></html>"""

DECLARED = ["Google Tag Manager", "Google Analytics (IP-adressen worden geanonimiseerd)", "Microsoft Clarity", "Brevo",
            "HotJar", "Google Ads"]


def nl_page(vendors=DECLARED, retention="1 jaar") -> str:
    return NL_POLICY.format(vendors="".join(f"<li>{v}</li>" for v in vendors), retention=retention)


def de_page(vendors=("Google Tag Manager", "Google Analytics", "Microsoft Clarity", "Brevo", "Hotjar", "Google Ads")) -> str:
    return DE_POLICY.format(rows="".join(f"<tr><td>{v}</td><td>Analyse</td></tr>" for v in vendors))


def consistent_site() -> dict[str, dict[str, str]]:
    return {h: ({"/datenschutz": de_page()} if h.endswith((".de", ".at")) else {"/privacy": nl_page()}) for h in HOSTS}


class PolicyServer:
    """HTTPS on 127.0.0.1 answering by Host header; its certificate names the shop hosts only (not the IP)."""

    def __init__(self) -> None:
        self.ca = trustme.CA()
        self.leaf = self.ca.issue_cert(*HOSTS)
        self.site: dict[str, dict[str, str]] = consistent_site()
        self.seen_hosts: list[str] = []
        self.loop = asyncio.new_event_loop()
        self.port = 0

    async def handle(self, request):
        host = request.host.split(":")[0]
        self.seen_hosts.append(host)
        body = self.site.get(host, {}).get(request.path)
        if body is None:
            return web.Response(status=404, text="not found")
        return web.Response(text=body, content_type="text/html")

    def __enter__(self) -> "PolicyServer":
        import ssl

        ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        self.leaf.configure_cert(ctx)
        app = web.Application()
        app.router.add_route("GET", "/{tail:.*}", self.handle)
        runner = web.AppRunner(app)
        ready = threading.Event()

        def run() -> None:
            asyncio.set_event_loop(self.loop)
            self.loop.run_until_complete(runner.setup())
            site = web.TCPSite(runner, "127.0.0.1", 0, ssl_context=ctx)
            self.loop.run_until_complete(site.start())
            self.port = site._server.sockets[0].getsockname()[1]
            ready.set()
            self.loop.run_forever()
            self.loop.run_until_complete(runner.cleanup())

        self.thread = threading.Thread(target=run, daemon=True)
        self.thread.start()
        assert ready.wait(10)
        return self

    def __exit__(self, *exc) -> None:
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(10)

    def ca_pem(self, tmp_path: Path) -> Path:
        p = tmp_path / "ca.pem"
        self.ca.cert_pem.write_to_path(str(p))
        return p


@pytest.fixture(scope="module")
def server():
    with PolicyServer() as s:
        yield s


@pytest.fixture()
def world(server, tmp_path):
    server.site = consistent_site()
    server.seen_hosts.clear()
    return server, [f"*=127.0.0.1:{server.port}"], server.ca_pem(tmp_path)


def test_text_extraction_ignores_scripts_and_menus():
    texts = statements(nl_page())
    assert "Facebook" not in " ".join(texts) and "Meta Pixel" not in " ".join(texts)
    found = find_vendors(texts, vendor_aliases())
    assert set(found) == {"google-tag-manager", "google-analytics", "microsoft-clarity", "brevo", "hotjar", "google-ads"}
    assert found["hotjar"] == ["HotJar"]
    tech = [r for r in find_retention(texts) if r.technical]
    assert [(r.duration, r.days) for r in tech] == [("1 jaar", 365.0)]
    de = [r for r in find_retention(statements(de_page())) if r.technical]
    assert [(r.duration, round(r.days)) for r in de] == [("zwölf Monate", 365)]
    en = find_retention(["We keep server logs for 2 years.", "Technical data is deleted after 90 days."])
    assert [(r.days, r.technical) for r in en] == [(730.0, True), (90.0, True)]


def test_consistent_policies(world):
    server, resolve, ca = world
    doc = check_policies(EXP, resolve=resolve, ca_cert=ca)
    assert doc["summary"] == {"pages": 5, "fetched": 5, "failed": 0, "drift": 0, "exit_code": 0}, doc["findings"]
    urls = {p["domain"]: p["url"] for p in doc["pages"]}
    assert urls["online-3d-printen.nl"] == "https://online-3d-printen.nl/privacy"
    assert urls["online-3d-drucken.de"] == "https://online-3d-drucken.de/datenschutz"
    assert set(server.seen_hosts) == set(HOSTS)       # the Host header kept the real name


def test_drifted_policy(world):
    server, resolve, ca = world
    server.site["online-3d-winkel.nl"] = {"/privacy": nl_page(
        vendors=[v for v in DECLARED if v != "HotJar"] + ["Meta Pixel (Facebook)"], retention="2 jaar")}
    doc = check_policies(EXP, resolve=resolve, ca_cert=ca)
    got = sorted((f["rule"], f["domain"], f["vendor"]) for f in doc["findings"])
    assert got == [("policy-retention-mismatch", "online-3d-winkel.nl", None),
                   ("policy-vendor-missing", "online-3d-winkel.nl", "hotjar"),
                   ("policy-vendor-undeclared", "online-3d-winkel.nl", "meta-pixel")]
    assert doc["summary"]["exit_code"] == 1
    mismatch = next(f for f in doc["findings"] if f["rule"] == "policy-retention-mismatch")
    assert mismatch["details"]["expected_days"] == 365 and mismatch["details"]["policy"][0]["days"] == 730
    assert "2 jaar" in mismatch["message"] and mismatch["choice"] == "policy" and len(mismatch["id"]) == 16
    # stable ids: the same drift gives the same finding ids (waivable, baseline-able)
    again = check_policies(EXP, resolve=resolve, ca_cert=ca)
    assert sorted(f["id"] for f in again["findings"]) == sorted(f["id"] for f in doc["findings"])


def test_retention_not_stated_and_fallback_path(world):
    server, resolve, ca = world
    # the .be shop moved its policy to /datenschutz (tried second) and dropped the retention article
    server.site["online-3d-printen.be"] = {"/datenschutz": nl_page().replace(
        "Technische gegevens (IP-adressen, browsertype, besturingssysteem)", "Nieuwsbriefgegevens")}
    doc = check_policies(EXP, resolve=resolve, ca_cert=ca, domains=["online-3d-printen.be"])
    page = doc["pages"][0]
    assert page["url"] == "https://online-3d-printen.be/datenschutz" and len(page["tried"]) == 2
    assert [f["rule"] for f in doc["findings"]] == ["policy-retention-unstated"]


def test_unfetchable_pages_exit_2(world, tmp_path):
    server, resolve, ca = world
    server.site["online-3d-drucken.at"] = {}
    doc = check_policies(EXP, resolve=resolve, ca_cert=ca)
    at = next(p for p in doc["pages"] if p["domain"] == "online-3d-drucken.at")
    assert at["url"] is None and "HTTP 404" in at["error"]
    assert doc["summary"]["failed"] == 1 and doc["summary"]["exit_code"] == 2
    # without the CA the certificate is not trusted: nothing is fetched
    untrusted = check_policies(EXP, resolve=resolve, domains=["online-3d-printen.nl"])
    assert untrusted["summary"]["exit_code"] == 2 and "CERTIFICATE_VERIFY_FAILED" in untrusted["pages"][0]["error"]
    # a closed port
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        closed = s.getsockname()[1]
    down = check_policies(EXP, resolve=[f"*=127.0.0.1:{closed}"], ca_cert=ca, domains=["online-3d-printen.nl"])
    assert down["summary"]["exit_code"] == 2 and "ConnectError" in down["pages"][0]["error"]
    # a host not covered by --resolve is not looked up in DNS
    partial = check_policies(EXP, resolve=[f"online-3d-printen.nl=127.0.0.1:{server.port}"], ca_cert=ca,
                             domains=["online-3d-printen.nl", "online-3d-winkel.nl"])
    errors = {p["domain"]: p["error"] for p in partial["pages"]}
    assert errors["online-3d-printen.nl"] is None and "not mapped by --resolve" in errors["online-3d-winkel.nl"]


def test_bad_arguments(tmp_path):
    with pytest.raises(ConfigError, match="expected HOST=ADDR"):
        check_policies(EXP, resolve=["nonsense"])
    with pytest.raises(ConfigError, match="--ca-cert .*file not found"):
        check_policies(EXP, ca_cert=tmp_path / "none.pem")
    with pytest.raises(ConfigError, match="--domain example.org"):
        check_policies(EXP, domains=["example.org"])
    (tmp_path / "junk.pem").write_text("junk")
    with pytest.raises(ConfigError, match="not a readable PEM"):
        check_policies(EXP, ca_cert=tmp_path / "junk.pem")


def test_policy_cli(world, tmp_path):
    import click
    from click.testing import CliRunner

    from cookieaudit.gate.commands import register

    server, resolve, ca = world
    cli = click.Group("cookieaudit")
    register(cli)
    args = ["policy", "check", "--expectations", str(EXP), "--resolve", resolve[0], "--ca-cert", str(ca)]
    r = CliRunner().invoke(cli, args)
    assert r.exit_code == 0, r.output
    assert "5/5 policy pages fetched; 0 drift finding(s); exit code 0" in r.output
    server.site["online-3d-drucken.de"] = {"/datenschutz": de_page(vendors=("Google Analytics", "Matomo"))}
    r = CliRunner().invoke(cli, args + ["--json", "--out", str(tmp_path / "pc")])
    assert r.exit_code == 1, r.output
    doc = json.loads(r.output)
    assert {f["rule"] for f in doc["findings"]} == {"policy-vendor-missing", "policy-vendor-undeclared"}
    saved = json.loads((tmp_path / "pc" / "policy-check.json").read_text())
    assert saved["findings"] == doc["findings"]
    assert (tmp_path / "pc" / "policy" / "online-3d-drucken.de.html").read_text().count("Matomo") == 1
    r = CliRunner().invoke(cli, ["policy", "check", "--expectations", str(tmp_path / "nope.yaml")])
    assert r.exit_code == 64 and "file not found" in r.output


@pytest.mark.server
def test_the_demo_worlds_policies_match_the_expectations():
    """The demo world serves the shops' real policy pages (NL and DE); they agree with expectations/online-3d.yaml."""
    world_mod = pytest.importorskip("cookieaudit.world")
    with world_mod.DemoWorld(world_mod.WorldConfig(scenario="default")) as w:
        doc = check_policies(EXP, resolve=w.resolve_args(), ca_cert=w.ca_pem)
    assert doc["summary"] == {"pages": 5, "fetched": 5, "failed": 0, "drift": 0, "exit_code": 0}, doc["findings"]
    for p in doc["pages"]:
        assert set(p["vendors"]) == {"google-tag-manager", "google-analytics", "microsoft-clarity", "brevo", "hotjar",
                                     "google-ads"}
        assert [round(r["days"]) for r in p["retention"] if r["technical"]] == [365]
