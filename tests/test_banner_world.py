"""The banner lab inside the demo world, over HTTP (no browser): hosts, TLS names, pages and the consent frame."""

from __future__ import annotations

import json
import re
import socket
import ssl
from pathlib import Path

import pytest

from cookieaudit.expectations import load_expectations
from cookieaudit.world import DemoWorld, WorldConfig
from cookieaudit.world.lab import FRAME_HOST, LAB_BANNERS, LAB_BY_HOST, lab_hosts
from test_world import https_get

pytestmark = pytest.mark.server

LAB_EXP = Path(__file__).parent / "data" / "expectations-lab.yaml"


@pytest.fixture(scope="module")
def world():
    with DemoWorld(WorldConfig(scenario="default")) as w:
        yield w


def test_lab_hosts_are_served_resolved_and_in_the_certificate(world):
    assert set(lab_hosts()) <= set(world.hosts) and FRAME_HOST in world.hosts
    assert {a.split("=")[0] for a in world.resolve_args()} >= set(lab_hosts())
    ctx = ssl.create_default_context(cafile=str(world.ca_pem))
    with ctx.wrap_socket(socket.create_connection(("127.0.0.1", world.port)), server_hostname="iframe.o3d-lab.nl") as tls:
        sans = {value for kind, value in tls.getpeercert()["subjectAltName"] if kind == "DNS"}
    assert set(lab_hosts()) <= sans


def test_every_expectations_domain_is_a_lab_host():
    exp = load_expectations(LAB_EXP)
    assert {d.host for d in exp.domains} == {b.host for b in LAB_BANNERS}
    assert [d.host for d in exp.domains if d.banner] == ["forget.o3d-lab.nl"]   # the rest: text heuristic only


def test_lab_page_carries_its_configuration_and_gated_tags(world):
    response, body = https_get(world, "tinyreject.o3d-lab.nl", "/")
    html = body.decode()
    assert response.status == 200 and response.headers["Cache-Control"] == "no-cache"
    config = json.loads(re.search(r"window.LAB_CONFIG = (\{.*?\});</script>", html).group(1))
    assert config["rejectStyle"] == "tinylink" and config["texts"]["reject"] == "Alles weigeren"
    # the trackers are inert until the banner releases them
    gated = re.findall(r'<script type="text/plain" data-lab-category="(\w+)"', html)
    assert sorted(set(gated)) == ["functional", "performance", "targeting"]
    assert "googletagmanager.com/gtag/js?id=G-O3DLAB0001" in html and "clarity.ms/tag/" in html
    assert "connect.facebook.net/en_US/fbevents.js" in html
    # none of the known consent managers' markup
    assert not re.search(r"cookieconsent|klaro|orejime|tarteaucitron|onetrust|cookiebot|cc-main", html, re.I)
    assert https_get(world, "tinyreject.o3d-lab.nl", "/p2")[0].status == 200
    assert https_get(world, "tinyreject.o3d-lab.nl", "/elders")[0].status == 404


def test_languages_and_variants():
    assert LAB_BY_HOST["de.o3d-lab.nl"].config()["texts"]["accept"] == "Alle akzeptieren"
    assert LAB_BY_HOST["fr.o3d-lab.nl"].config()["texts"]["reject"] == "Tout refuser"
    wall = LAB_BY_HOST["wall.o3d-lab.nl"].config()
    assert wall["wall"] and not wall["firstLayerReject"] and not wall["settingsButton"]
    assert LAB_BY_HOST["iframe.o3d-lab.nl"].config()["cookieDomain"] == "o3d-lab.nl"
    assert LAB_BY_HOST["fair.o3d-lab.nl"].planted == ()


def test_consent_frame_is_same_site_and_only_for_lab_pages(world):
    response, body = https_get(world, FRAME_HOST, "/frame?site=iframe.o3d-lab.nl")
    assert response.status == 200 and "frame-ancestors https://*.o3d-lab.nl" in response.headers["Content-Security-Policy"]
    config = json.loads(re.search(r"window.LAB_CONFIG = (\{.*?\});</script>", body.decode()).group(1))
    assert config["mount"] == "frame" and config["parentOrigin"] == "https://iframe.o3d-lab.nl"
    assert https_get(world, FRAME_HOST, "/frame?site=plain.o3d-lab.nl")[0].status == 404
    assert https_get(world, "plain.o3d-lab.nl", "/assets/lab/lab-banner.js")[0].status == 200
    assert https_get(world, "plain.o3d-lab.nl", "/assets/lab/../lab.py")[0].status == 404
