"""Integrity of a run folder: SHA-256 manifests that ``sha256sum -c`` can check without this tool.

Two manifests, because the report shows a hash and cannot contain its own:

1. ``evidence-manifest.sha256`` is written *before* the report formats run. It covers the evidence:
   ``findings.json`` and every file inside a sub-folder (``observations/``, ``evidence/``, ...). The report
   prints the SHA-256 of this file (and the PDF repeats it in every page footer), so a printed copy can be
   tied to the exact evidence files.
2. ``manifest.sha256`` is written *last*. It covers every file in the run folder except itself: the evidence,
   the evidence manifest and the rendered outputs (report.html, report.pdf, junit.xml, ...).

Top-level files other than ``findings.json`` are derived outputs and are only covered by the final manifest;
evidence must therefore live in a sub-folder. Lines are ``<hex>  <relative/posix/path>``, sorted by path, in the
format of GNU ``sha256sum`` (including its backslash escaping of names with a newline or backslash).
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

from .errors import ConfigError

MANIFEST_NAME = "manifest.sha256"
EVIDENCE_MANIFEST_NAME = "evidence-manifest.sha256"
FINDINGS_NAME = "findings.json"
_MANIFESTS = (MANIFEST_NAME, EVIDENCE_MANIFEST_NAME)


def sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def run_files(run_dir: Path) -> list[str]:
    """Every regular file below ``run_dir`` as a sorted relative POSIX path (symlinked folders not followed)."""
    run_dir = Path(run_dir)
    out: list[str] = []
    for root, dirs, files in os.walk(run_dir):
        dirs[:] = [d for d in dirs if not (Path(root) / d).is_symlink()]
        for name in files:
            p = Path(root) / name
            if p.is_file():
                out.append(p.relative_to(run_dir).as_posix())
    return sorted(out)


def in_final_scope(rel: str) -> bool:
    return rel != MANIFEST_NAME


def in_evidence_scope(rel: str) -> bool:
    """findings.json and everything in a sub-folder; not the manifests, not the rendered top-level outputs."""
    return rel == FINDINGS_NAME or "/" in rel


def _format_line(digest: str, rel: str) -> str:
    if "\\" in rel or "\n" in rel or "\r" in rel:   # GNU sha256sum escaping
        esc = rel.replace("\\", "\\\\").replace("\n", "\\n").replace("\r", "\\r")
        return f"\\{digest}  {esc}\n"
    return f"{digest}  {rel}\n"


def _parse_line(line: str) -> tuple[str, str] | None:
    escaped = line.startswith("\\")
    if escaped:
        line = line[1:]
    digest, sep, rel = line.partition("  ")
    if not sep:
        digest, sep, rel = line.partition(" *")   # binary-mode marker
    if not sep or len(digest) != 64 or any(c not in "0123456789abcdefABCDEF" for c in digest):
        return None
    if escaped:
        rel = rel.replace("\\\\", "\0").replace("\\n", "\n").replace("\\r", "\r").replace("\0", "\\")
    return digest.lower(), rel


def _write(run_dir: Path, name: str, scope) -> Path:
    run_dir = Path(run_dir)
    lines = [_format_line(sha256_file(run_dir / rel), rel) for rel in run_files(run_dir) if scope(rel) and rel != name]
    target = run_dir / name
    tmp = target.with_name(target.name + ".part")
    tmp.write_text("".join(lines), encoding="utf-8", newline="\n")
    tmp.replace(target)
    return target


def read_manifest(path: Path) -> dict[str, str]:
    """Relative path -> hex digest. Raises ValueError on a malformed line."""
    entries: dict[str, str] = {}
    for n, line in enumerate(Path(path).read_text(encoding="utf-8").split("\n"), start=1):
        if not line:
            continue
        parsed = _parse_line(line)
        if parsed is None:
            raise ValueError(f"{Path(path).name}:{n}: not a '<sha256>  <path>' line")
        entries[parsed[1]] = parsed[0]
    return entries


def _verify(run_dir: Path, name: str, scope) -> list[str]:
    run_dir = Path(run_dir)
    path = run_dir / name
    if not path.is_file():
        return [f"{name}: not found"]
    try:
        entries = read_manifest(path)
    except ValueError as exc:
        return [str(exc)]
    problems: list[str] = []
    for rel, digest in sorted(entries.items()):
        p = run_dir / rel
        if not p.is_file():
            problems.append(f"missing: {rel}")
        elif sha256_file(p) != digest:
            problems.append(f"changed: {rel}")
    for rel in run_files(run_dir):
        if scope(rel) and rel != name and rel not in entries:
            problems.append(f"extra: {rel} (not in {name})")
    return problems


def write_evidence_manifest(run_dir: Path) -> Path:
    """Hash the evidence (findings.json + sub-folders) into evidence-manifest.sha256; call before rendering."""
    return _write(run_dir, EVIDENCE_MANIFEST_NAME, in_evidence_scope)


def verify_evidence_manifest(run_dir: Path) -> list[str]:
    return _verify(run_dir, EVIDENCE_MANIFEST_NAME, in_evidence_scope)


def write_manifest(run_dir: Path) -> Path:
    """Hash every file of the run folder into manifest.sha256; call last, after every output is written."""
    return _write(run_dir, MANIFEST_NAME, in_final_scope)


def verify_manifest(run_dir: Path) -> list[str]:
    """Problems with the run folder (changed, missing or extra files); an empty list means it is intact.

    Checks manifest.sha256 and, when present, evidence-manifest.sha256 (its problems are prefixed with its name:
    they mean the evidence changed between the evidence manifest and the rendering of the report).
    """
    problems = _verify(run_dir, MANIFEST_NAME, in_final_scope)
    if (Path(run_dir) / EVIDENCE_MANIFEST_NAME).is_file():
        problems += [f"{EVIDENCE_MANIFEST_NAME}: {p}" for p in verify_evidence_manifest(run_dir)]
    return problems


# -- signing the evidence manifest (Ed25519) --------------------------------------------------------------------
#
# ``evidence-manifest.sig`` (top level, so it is a derived output covered by manifest.sha256) holds an Ed25519
# signature over the exact bytes of evidence-manifest.sha256, plus the public key and its fingerprint. Checking
# it with the *expected* public key (``verify_signature``) proves that the evidence manifest — and through its
# hashes every exhibit — is what the key holder sealed; the embedded key is informative only.

SIGNATURE_NAME = "evidence-manifest.sig"
SIGNATURE_SCHEMA = "cookieaudit.signature/1"


def _raw_public(public_key) -> bytes:
    from cryptography.hazmat.primitives import serialization

    return public_key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def key_fingerprint(public_key) -> str:
    """``SHA256:<hex>`` of the raw 32-byte Ed25519 public key (shown in the report and the dossier)."""
    return "SHA256:" + hashlib.sha256(_raw_public(public_key)).hexdigest()


def generate_keypair(private_path: Path) -> tuple[Path, Path, str]:
    """Write a new Ed25519 private key (PEM, PKCS#8, mode 600) and ``<private>.pub``; return paths and fingerprint."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    private_path = Path(private_path)
    if private_path.exists():
        raise ConfigError(f"{private_path}: exists; a key is never overwritten", fix="choose a new file name")
    key = Ed25519PrivateKey.generate()
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                            serialization.NoEncryption())
    fd = os.open(private_path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as fh:
        fh.write(pem)
    pub_path = private_path.with_name(private_path.name + ".pub")
    pub_path.write_bytes(key.public_key().public_bytes(serialization.Encoding.PEM,
                                                       serialization.PublicFormat.SubjectPublicKeyInfo))
    return private_path, pub_path, key_fingerprint(key.public_key())


def _load_private(path: Path):
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    try:
        key = serialization.load_pem_private_key(Path(path).read_bytes(), password=None)
    except (OSError, ValueError, TypeError) as exc:
        raise ConfigError(f"--sign {path}: not a readable unencrypted PEM private key ({exc})",
                          fix="create one with `cookieaudit keygen --out KEY`") from None
    if not isinstance(key, Ed25519PrivateKey):
        raise ConfigError(f"--sign {path}: not an Ed25519 key", fix="create one with `cookieaudit keygen --out KEY`")
    return key


def load_public_key(path: Path):
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

    try:
        key = serialization.load_pem_public_key(Path(path).read_bytes())
    except (OSError, ValueError, TypeError) as exc:
        raise ConfigError(f"--public-key {path}: not a readable PEM public key ({exc})",
                          fix="pass the .pub file written by `cookieaudit keygen`") from None
    if not isinstance(key, Ed25519PublicKey):
        raise ConfigError(f"--public-key {path}: not an Ed25519 key", fix="pass the .pub file of `cookieaudit keygen`")
    return key


def sign_evidence_manifest(run_dir: Path, private_key_path: Path) -> Path:
    """Sign evidence-manifest.sha256 (written first if missing) into evidence-manifest.sig."""
    import base64

    run_dir = Path(run_dir)
    key = _load_private(private_key_path)
    em = run_dir / EVIDENCE_MANIFEST_NAME
    if not em.is_file():
        write_evidence_manifest(run_dir)
    data = em.read_bytes()
    doc = {"schema": SIGNATURE_SCHEMA, "algorithm": "Ed25519", "signed_file": EVIDENCE_MANIFEST_NAME,
           "signed_sha256": hashlib.sha256(data).hexdigest(),
           "public_key": base64.b64encode(_raw_public(key.public_key())).decode("ascii"),
           "fingerprint": key_fingerprint(key.public_key()),
           "signature": base64.b64encode(key.sign(data)).decode("ascii")}
    target = run_dir / SIGNATURE_NAME
    tmp = target.with_name(target.name + ".part")
    tmp.write_text(json.dumps(doc, indent=1) + "\n", encoding="utf-8")
    tmp.replace(target)
    return target


def verify_signature(run_dir: Path, public_key_path: Path) -> list[str]:
    """Problems with the signature *and* the evidence hashes; ``[]`` when both hold for this public key."""
    import base64

    from cryptography.exceptions import InvalidSignature

    run_dir = Path(run_dir)
    key = load_public_key(public_key_path)
    sig_path = run_dir / SIGNATURE_NAME
    problems: list[str] = []
    try:
        doc = json.loads(sig_path.read_text(encoding="utf-8"))
        signature = base64.b64decode(doc["signature"], validate=True)
    except FileNotFoundError:
        return [f"{SIGNATURE_NAME}: missing (the run was not signed)"]
    except (ValueError, KeyError, TypeError) as exc:
        return [f"{SIGNATURE_NAME}: unreadable ({type(exc).__name__})"]
    em = run_dir / EVIDENCE_MANIFEST_NAME
    if not em.is_file():
        return [f"{EVIDENCE_MANIFEST_NAME}: missing"]
    if doc.get("fingerprint") and doc.get("fingerprint") != key_fingerprint(key):
        problems.append(f"{SIGNATURE_NAME}: made with another key ({doc.get('fingerprint')}, expected "
                        f"{key_fingerprint(key)})")
    try:
        key.verify(signature, em.read_bytes())
    except InvalidSignature:
        problems.append(f"{SIGNATURE_NAME}: signature does not verify against {EVIDENCE_MANIFEST_NAME} with this key")
    problems += [f"{EVIDENCE_MANIFEST_NAME}: {p}" for p in verify_evidence_manifest(run_dir)]
    return problems
