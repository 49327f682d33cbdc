"""Screenshots for the report: read from the run folder and embedded once each as a data: URI.

The template puts every embedded image in one SVG <defs> block and shows it with <use href="#id">, so a
screenshot that backs ten findings is stored in the file once; identical bytes under two names are embedded once.
Only real PNG/JPEG files inside the run folder are embedded.
"""

from __future__ import annotations

import base64
import hashlib
import struct
from dataclasses import dataclass

from .rundata import RunData

MAX_EMBED_BYTES = 60 * 1024 * 1024    # beyond this, screenshots are referenced by path and hash only


@dataclass
class Shot:
    id: str
    path: str
    sha256: str | None
    data_uri: str | None = None
    width: int = 1366
    height: int = 768
    duplicate: bool = False


def _image_size(data: bytes) -> tuple[str, int, int] | None:
    if data[:8] == b"\x89PNG\r\n\x1a\n" and data[12:16] == b"IHDR":
        w, h = struct.unpack(">II", data[16:24])
        return "image/png", w, h
    if data[:3] == b"\xff\xd8\xff":
        i = 2
        while i + 9 < len(data):
            if data[i] != 0xFF:
                i += 1
                continue
            marker = data[i + 1]
            length = struct.unpack(">H", data[i + 2:i + 4])[0]
            if marker in (0xC0, 0xC1, 0xC2):
                h, w = struct.unpack(">HH", data[i + 5:i + 9])
                return "image/jpeg", w, h
            i += 2 + length
        return "image/jpeg", 1366, 768
    return None


class Shots:
    def __init__(self, run: RunData, budget: int = MAX_EMBED_BYTES):
        self.run = run
        self.budget = budget
        self.by_path: dict[str, Shot] = {}

    def get(self, rel: str | None) -> Shot | None:
        if not rel:
            return None
        if rel in self.by_path:
            return self.by_path[rel]
        path = self.run.file(rel)
        em = self.run.evidence_manifest
        digest = em.files.get(rel) if em else None
        shot = Shot(id=f"shot{len(self.by_path) + 1}", path=rel, sha256=digest)
        if path is not None:
            data = path.read_bytes()
            shot.sha256 = hashlib.sha256(data).hexdigest()
            same = next((s for s in self.by_path.values() if s.sha256 == shot.sha256 and s.data_uri), None)
            kind = _image_size(data)
            if same:   # identical bytes under another name: embed once, show both names
                shot.id, shot.data_uri, shot.width, shot.height = same.id, same.data_uri, same.width, same.height
                shot.duplicate = True
            elif kind and len(data) <= self.budget:
                self.budget -= len(data)
                mime, shot.width, shot.height = kind
                shot.data_uri = f"data:{mime};base64," + base64.b64encode(data).decode("ascii")
        self.by_path[rel] = shot
        return shot

    @property
    def embedded(self) -> list[Shot]:
        return [s for s in self.by_path.values() if s.data_uri and not s.duplicate]
