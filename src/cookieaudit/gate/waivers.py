"""Waivers: accepted findings that stay in the report but do not fail the run, until they expire.

``waivers.yaml`` (schema ``cookieaudit.waivers/1``; see ``waivers.example.yaml``)::

    schema: cookieaudit.waivers/1
    waivers:
      - id: 3f2a9c0d1e2b4a5c            # a finding id from findings.json ...
        reason: GA4 on .nl is measured under the analytics exemption (legal, 2026-10)
        who: j.devries
        expires: 2027-01-31
      - match:                           # ... or shell-style patterns over rule/domain/choice/vendor
          rule: undeclared-tracker
          domain: "online-3d-*.nl"
          vendor: meta-pixel
        reason: pixel is removed in release 4.2
        who: a.peeters
        expires: 2026-12-15

A waiver covers findings until the end of its ``expires`` day (UTC). An expired waiver stops waiving, loudly:
a warning on stderr (a GitHub annotation in Actions), an entry in the run's ``warnings`` and ``waiver_expired:
true`` on each finding it used to cover. A bad file stops with file:line: field, the problem and a fix
(ConfigError, exit 64).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import fnmatch
import hashlib
import os
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from ..errors import ConfigError
from ..findings import Finding, WaiverNote
from ..rundoc import DocLike, WaiversReport, as_document, same_kind
from ..yamllines import compose_with_lines, line_for
from .summary import summarize

WAIVERS_SCHEMA = "cookieaudit.waivers/1"
MATCH_FIELDS = ("rule", "domain", "choice", "vendor")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class WaiverMatch(_Strict):
    """Shell-style patterns (``*``, ``?``, ``[abc]``), all of which must match; a finding without a vendor has
    vendor ``-``."""

    rule: str | None = None
    domain: str | None = None
    choice: str | None = None
    vendor: str | None = None

    @model_validator(mode="after")
    def _something(self) -> "WaiverMatch":
        if all(getattr(self, k) is None for k in MATCH_FIELDS):
            raise ValueError("match needs at least one of rule, domain, choice, vendor")
        return self

    def matches(self, f: Finding) -> bool:
        for k in MATCH_FIELDS:
            pat = getattr(self, k)
            if pat is None:
                continue
            value = getattr(f, k) or "-"
            if not fnmatch.fnmatchcase(str(value), pat):
                return False
        return True


class Waiver(_Strict):
    id: str | None = Field(default=None, pattern=r"^[0-9a-f]{16}$")
    match: WaiverMatch | None = None
    reason: str = Field(min_length=3)
    who: str = Field(min_length=1)
    expires: dt.date
    ticket: str | None = None

    @model_validator(mode="after")
    def _one_target(self) -> "Waiver":
        if (self.id is None) == (self.match is None):
            raise ValueError("give either id (one finding) or match (patterns), not both and not neither")
        return self

    def covers(self, f: Finding) -> bool:
        if self.id is not None:
            # also an id the finding had before findings were grouped per vendor (``aliases``)
            return f.id == self.id or self.id in f.aliases
        assert self.match is not None
        return self.match.matches(f)

    def expired(self, today: dt.date) -> bool:
        return today > self.expires


class WaiversFile(_Strict):
    schema_: Literal["cookieaudit.waivers/1"] = Field(alias="schema")
    waivers: list[Waiver] = Field(default_factory=list)

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


@dataclass(frozen=True)
class Waivers:
    """A loaded waivers file: the waivers, where each one is written, and the file's hash."""

    path: str
    waivers: tuple[Waiver, ...]
    lines: tuple[int, ...]
    sha256: str

    def describe(self, i: int) -> dict[str, Any]:
        w = self.waivers[i]
        d: dict[str, Any] = {"reason": w.reason, "who": w.who, "expires": w.expires.isoformat(),
                             "source": f"{self.path}:{self.lines[i]}"}
        if w.id is not None:
            d["id"] = w.id
        else:
            assert w.match is not None
            d["match"] = w.match.model_dump(exclude_none=True)
        if w.ticket:
            d["ticket"] = w.ticket
        return d

    def note(self, i: int) -> WaiverNote:
        """The mark a finding covered by waiver ``i`` carries."""
        return WaiverNote.from_dict(self.describe(i))


# -- loading with line numbers ------------------------------------------------------------------------

_FIXES = {
    "extra_forbidden": "remove or correct this key (allowed: id or match, reason, who, expires, ticket; "
                       "in match: rule, domain, choice, vendor)",
    "missing": "add this field",
    "date_from_datetime_parsing": "write the date as YYYY-MM-DD, e.g. 2027-01-31",
    "date_parsing": "write the date as YYYY-MM-DD, e.g. 2027-01-31",
    "date_type": "write the date as YYYY-MM-DD, e.g. 2027-01-31",
    "string_pattern_mismatch": "copy the 16-hex-digit id of the finding from findings.json or the report",
    "string_too_short": "say why the finding is accepted",
    "literal_error": f"the first line must be `schema: {WAIVERS_SCHEMA}`",
    "list_type": "waivers is a list: start each waiver with '- '",
}


def load_waivers(path: str | Path) -> Waivers:
    """Load and validate a waivers file; a problem raises ConfigError naming file:line: field and a fix."""
    p = Path(path)
    try:
        raw = p.read_bytes()
        text = raw.decode("utf-8")
    except FileNotFoundError:
        raise ConfigError(f"--waivers {p}: file not found", fix="pass --waivers PATH to an existing file "
                          "(start from waivers.example.yaml)") from None
    except IsADirectoryError:
        raise ConfigError(f"--waivers {p}: is a folder", fix="pass the waivers YAML file itself") from None
    except UnicodeDecodeError as exc:
        raise ConfigError(f"{p}: not UTF-8 text ({exc.reason})", fix="save the file as UTF-8") from None
    if not text.strip():
        raise ConfigError(f"{p}:1: the file is empty", fix="start from waivers.example.yaml")
    data, lines = compose_with_lines(text, str(p), empty_fix="start from waivers.example.yaml")
    if not isinstance(data, dict):
        raise ConfigError(f"{p}:1: the top level must be a mapping with `schema` and `waivers`",
                          fix="start from waivers.example.yaml")
    try:
        model = WaiversFile.model_validate(data)
    except ValidationError as exc:
        msgs = []
        for err in exc.errors():
            loc = tuple(err["loc"])
            line = line_for(loc, lines)
            field_path = ".".join(str(x) for x in loc) or "(file)"
            msg = err["msg"].removeprefix("Value error, ")
            if err["type"] == "extra_forbidden":
                msg = "unknown key (misspelt or not allowed here)"
            elif err["type"] == "missing":
                line = line_for(loc[:-1], lines)
                msg = f"required field {loc[-1]!r} is missing"
            elif err["type"] == "string_pattern_mismatch":
                msg = f"{err.get('input')!r} is not a finding id (16 hex digits)"
            fix = _FIXES.get(err["type"])
            msgs.append(f"{p}:{line}: {field_path}: {msg}" + (f" ({fix})" if fix else ""))
        raise ConfigError("\n".join(msgs), fix="correct the field(s) above; the format is shown in "
                          "waivers.example.yaml and docs/ci.md") from None
    wl = tuple(line_for(("waivers", i), lines) for i in range(len(model.waivers)))
    return Waivers(path=str(p), waivers=tuple(model.waivers), lines=wl, sha256=hashlib.sha256(raw).hexdigest())


# -- applying ----------------------------------------------------------------------------------------------

def _today() -> dt.date:
    return dt.datetime.now(dt.timezone.utc).date()


def stderr_warning(message: str) -> None:
    """Print a warning on stderr; as a workflow annotation when running in GitHub Actions."""
    if os.environ.get("GITHUB_ACTIONS") == "true":
        print(f"::warning title=cookieaudit::{message}", file=sys.stderr)
    else:
        print(f"cookieaudit: warning: {message}", file=sys.stderr)


def apply_waivers(doc: DocLike, waivers: Waivers | str | Path, *, today: dt.date | None = None,
                  warn: Callable[[str], None] | None = stderr_warning) -> DocLike:
    """A new document whose waived findings are marked ``waived`` + ``waiver``; findings whose waiver expired are
    marked ``waiver_expired`` and count again (each expiry also a warning). The summary is recomputed."""
    w = waivers if isinstance(waivers, Waivers) else load_waivers(waivers)
    today = today or _today()
    used = [0] * len(w.waivers)
    expired_hits: dict[int, list[str]] = {}
    findings = []
    for f in as_document(doc).findings:
        active, lapsed = _covering(w, f, today, used)
        if active is not None:
            f = dataclasses.replace(f, waived=True, waiver_expired=None, waiver=w.note(active))
        elif lapsed is not None:
            f = dataclasses.replace(f, waived=False, waiver_expired=True, waiver=w.note(lapsed))
            expired_hits.setdefault(lapsed, []).append(f.id)
        else:
            f = dataclasses.replace(f, waived=None, waiver_expired=None, waiver=None)
        findings.append(f)
    out = dataclasses.replace(as_document(doc), findings=tuple(findings))
    for i, ids in expired_hits.items():
        d = w.describe(i)
        target = f"finding {d['id']}" if "id" in d else f"match {d['match']}"
        msg = (f"waiver at {d['source']} ({target}, who: {d['who']}) expired on {d['expires']}: "
               f"{len(ids)} finding(s) count again")
        out = out.with_warning("waiver-expired", msg, waiver=d, findings=ids)
        if warn:
            warn(msg)
    report = WaiversReport(source=w.path, sha256=w.sha256, today=today.isoformat(),
                           applied=sum(1 for f in findings if f.waived),
                           expired=tuple(w.describe(i) for i in sorted(expired_hits)),
                           unused=tuple(w.describe(i) for i, n in enumerate(used) if n == 0))
    return same_kind(summarize(dataclasses.replace(out, waivers=report)), doc)


def _covering(w: Waivers, f: Finding, today: dt.date, used: list[int]) -> tuple[int | None, int | None]:
    """The first unexpired waiver that covers ``f`` and the first expired one (counting every use)."""
    active = lapsed = None
    for i, waiver in enumerate(w.waivers):
        if not waiver.covers(f):
            continue
        used[i] += 1
        if waiver.expired(today):
            lapsed = lapsed if lapsed is not None else i
        elif active is None:
            active = i
    return active, lapsed
