"""The demo world: five local webshops and their vendors' real host names, over HTTPS, on one server.

cookieaudit cannot reach the internet on its build machines, and an audit is only trustworthy if its own
test bed plants known violations. The demo world is that test bed and also the "staging server under
production host names" of ``cookieaudit demo``:

    from cookieaudit.world import DemoWorld, WorldConfig

    with DemoWorld(WorldConfig(scenario="default"), host="127.0.0.1", port=0) as world:
        world.port, world.ca_pem, world.hosts, world.resolve_args(), world.host_resolver_rules()

Chromium reaches it with ``--host-resolver-rules`` (``world.host_resolver_rules()``) and trusts it with
``ignore_https_errors`` or the CA in ``world.ca_pem``. Scenarios and every per-shop knob are documented in
:mod:`cookieaudit.world.config`; the shops, hosts and tracking ids in :mod:`cookieaudit.world.catalog`.

Layout: ``config`` (scenarios, knobs) → ``tags`` (which snippets a shop embeds, gated or not) → ``cmps``
(how each consent manager gates them) → ``pages`` (HTML) → ``shops`` / ``vendors`` (HTTP) → ``server``
(``DemoWorld``). ``static/vendor`` holds the vendor stubs, ``static/shop`` the shops' own files; the
consent managers themselves are served from ``node_modules`` (``make setup``).

Variant worlds: ``WorldConfig(variant_seed=N)`` (CLI ``--variant-seed N``; ``DemoWorldProcess`` passes it on)
serves the same five shop hosts re-configured from seed N the way other integrators would configure them:
another consent manager per shop, page language nl/de/fr/en, the manager's own category/purpose/service ids
and labels, per-service or accept/decline-only consent, categories left out, renamed consent cookies and
localStorage keys, other page paths, link layouts and distracting links. ``variants.generate(N)`` is the
ground truth (for tests only); without a variant seed the demo world is exactly as described above. See
:mod:`cookieaudit.world.variants`.

The same server also answers for the *banner lab* (:mod:`cookieaudit.world.lab`, ``*.o3d-lab.nl``): one
hand-made banner per host — unknown markup, shadow DOM, an iframe, German and French texts, and the banner
designs the judging rules look for (no reject on the first layer, a tiny reject link, pre-ticked boxes, a
cookie wall, consent by scrolling, a refusal that is not remembered) next to a fair one. Its expectations
file is ``tests/data/expectations-lab.yaml``.
"""

from .assets import MissingNodeModules
from .catalog import SHOPS, all_hosts
from .config import COMPLIANT, DEFAULT_SCENARIO, SCENARIOS, ShopKnobs, WorldConfig
from .server import DemoWorld

__all__ = ["COMPLIANT", "DEFAULT_SCENARIO", "SCENARIOS", "SHOPS", "DemoWorld", "MissingNodeModules",
           "ShopKnobs", "WorldConfig", "all_hosts"]
