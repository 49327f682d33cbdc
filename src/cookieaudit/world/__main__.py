"""Run the demo world standalone: ``python -m cookieaudit.world --port 8443 --ca-out ca.pem``.

Stands in for a staging server under production host names: it prints the host mappings and the CA path,
then serves until Ctrl-C.
"""

from __future__ import annotations

import argparse
import json
import signal
import sys
import threading
from pathlib import Path

from .config import SCENARIOS, WorldConfig
from .server import DemoWorld


def parse_range(text: str) -> tuple[int, int]:
    lo, _, hi = text.partition(",")
    return int(lo), int(hi or lo)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m cookieaudit.world", description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=8443, help="port to bind (0 = any free port)")
    parser.add_argument("--ca-out", type=Path, help="where to write the CA certificate (PEM)")
    parser.add_argument("--scenario", choices=SCENARIOS, default="default")
    parser.add_argument("--latency-ms", type=parse_range, default=(0, 0), metavar="MIN,MAX")
    parser.add_argument("--vendor-latency-ms", type=parse_range, default=(0, 0), metavar="MIN,MAX")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--overrides", type=json.loads, default={},
                        help='per-shop knobs as JSON, e.g. \'{"online-3d-printen.nl": {"banner": "none"}}\'')
    parser.add_argument("--variant-seed", type=int, default=None,
                        help="serve a variant world: the five shops re-configured from this seed "
                             "(see cookieaudit.world.variants)")
    args = parser.parse_args(argv)

    config = WorldConfig(scenario=args.scenario, latency_ms=args.latency_ms,
                         vendor_latency_ms=args.vendor_latency_ms, seed=args.seed, overrides=args.overrides,
                         variant_seed=args.variant_seed)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    with DemoWorld(config, host=args.host, port=args.port, ca_pem=args.ca_out) as world:
        if world.variant is not None:
            print(world.variant.describe(), file=sys.stderr)
        print(f"demo world ({args.scenario}) serving {len(world.hosts)} hosts on https://{args.host}:{world.port}")
        print(f"CA certificate: {world.ca_pem}")
        print("resolve:")
        for line in world.resolve_args():
            print(f"  {line}")
        print(f"chromium: --host-resolver-rules=\"{world.host_resolver_rules()}\"")
        print("Ctrl-C to stop.", flush=True)
        try:
            stop.wait()
        except KeyboardInterrupt:
            pass
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
