"""``--redact``: cookie and storage values replaced by their hash everywhere, for reports that are shared.

Names, lengths and timings stay, so every finding still reads the same; a value is replaced wherever it
appears (the jar, raw Set-Cookie lines, ``document.cookie`` writes, storage, URLs, beacon bodies, the HAR),
also in its URL-encoded form, because trackers copy identifiers into their hits.
"""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path
from typing import Any
from urllib.parse import quote

from .observations import Observation

MIN_LEN = 4   # shorter values ("1", "true") carry no identity and would match everywhere


def token(value: str) -> str:
    return f"[redacted sha256:{hashlib.sha256(value.encode()).hexdigest()[:12]} len={len(value)}]"


def _cookie_value(line: str) -> str | None:
    first = line.split(";", 1)[0]
    if "=" not in first:
        return None
    return first.split("=", 1)[1].strip()


def secret_values(obs: Observation) -> set[str]:
    values = {c.value for c in obs.cookies} | {s.value for s in obs.storage}
    values |= {v for v in (_cookie_value(s.header) for s in obs.set_cookies) if v}
    values |= {v for v in (_cookie_value(w.cookie) for w in obs.cookie_writes) if v}
    return {v for v in values if len(v) >= MIN_LEN}


def _replacements(values: set[str]) -> list[tuple[str, str]]:
    pairs: dict[str, str] = {}
    for v in values:
        t = token(v)
        for form in (v, quote(v, safe=""), quote(v, safe="/:")):
            pairs.setdefault(form, t)
    # longest first so a value containing another is replaced whole
    return sorted(pairs.items(), key=lambda kv: -len(kv[0]))


def _trie_regex(words: list[str]) -> "re.Pattern[str] | None":
    """One regex matching any of ``words``, longest first, shaped as a radix tree.

    A plain alternation of thousands of values (a cookie storm) costs values × characters; the tree costs about
    characters × depth. None when the tree is too deep for the regex compiler (then the simple loop is used).
    """
    trie: dict = {}
    for w in words:
        node = trie
        for ch in w:
            node = node.setdefault(ch, {})
        node[""] = {}

    def emit(node: dict) -> str:
        alts = []
        for ch, child in sorted(node.items()):
            if not ch:
                continue
            run = ch
            while "" not in child and len(child) == 1:     # compress single-child chains into one literal
                (nxt, child), = child.items()
                run += nxt
            alts.append(re.escape(run) + emit(child))
        if not alts:
            return ""
        body = alts[0] if len(alts) == 1 else "(?:" + "|".join(alts) + ")"
        return f"(?:{body})?" if "" in node else body     # greedy: the longer value wins

    try:
        return re.compile(emit(trie)) if words else None
    except (RecursionError, re.error, OverflowError):
        return None


def _scrub(obj: Any, repl: list[tuple[str, str]]) -> Any:
    table = dict(repl)
    pattern = _trie_regex(list(table))

    def one(text: str) -> str:
        if pattern is not None:
            return pattern.sub(lambda m: table[m.group(0)], text)
        for old, new in repl:
            if old in text:
                text = text.replace(old, new)
        return text

    def walk(o: Any) -> Any:
        if isinstance(o, str):
            return one(o)
        if isinstance(o, list):
            return [walk(x) for x in o]
        if isinstance(o, dict):
            return {k: walk(v) for k, v in o.items()}
        return o

    return walk(obj)


def redact_observation(obs: Observation) -> tuple[Observation, list[tuple[str, str]]]:
    repl = _replacements(secret_values(obs))
    data = obs.to_dict()
    for c in data["cookies"]:
        c["value"] = token(c["value"]) if c["value"] else ""
    for s in data["storage"]:
        s["value"] = token(s["value"]) if s["value"] else ""
    return Observation.from_dict(_scrub(data, repl)), repl


def redact_har(path: Path, repl: list[tuple[str, str]]) -> None:
    try:
        har = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return
    for entry in har.get("log", {}).get("entries", []):
        for part in (entry.get("request", {}), entry.get("response", {})):
            for c in part.get("cookies", []):
                if c.get("value"):
                    c["value"] = token(c["value"])
    tmp = path.with_suffix(".har.part")
    tmp.write_text(json.dumps(_scrub(har, repl), ensure_ascii=False), encoding="utf-8")
    tmp.replace(path)


def redact_policy_snapshots(run_dir: Path, repl: list[tuple[str, str]]) -> None:
    """``--redact`` for the policy pages stored as evidence (``policy/<domain>.html/.txt``): a value the visits
    saw in a cookie or storage item is replaced there too. The record keeps the hash of the page as fetched and
    gains the hash of the stored (redacted) files, so both remain checkable."""
    import hashlib

    folder = Path(run_dir) / "policy"
    if not repl or not folder.is_dir():
        return
    for rec_path in sorted(folder.glob("*.json")):
        try:
            rec = json.loads(rec_path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        changed = False
        for key, hash_key in (("html", "sha256"), ("text", "text_sha256")):
            rel = rec.get(key)
            if not rel:
                continue
            path = Path(run_dir) / rel
            try:
                text = path.read_bytes().decode("utf-8", errors="replace")
            except OSError:
                continue
            scrubbed = _scrub(text, repl)
            if scrubbed != text:
                path.write_text(scrubbed, encoding="utf-8")
                rec[f"{hash_key}_stored"] = hashlib.sha256(path.read_bytes()).hexdigest()
                changed = True
        if changed:
            rec["redacted"] = True
            rec_path.write_text(json.dumps(rec, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
