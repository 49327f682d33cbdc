"""``summary.md``: a short Markdown summary for ``$GITHUB_STEP_SUMMARY`` (matrix + top findings, < 60 KB)."""

from __future__ import annotations

import re

from .interface import OutputFormat
from .rundata import RunData, counts
from .view import Labels, matrix, severity_totals

MAX_BYTES = 60_000
# always used mid-line, so only inline syntax needs escaping: emphasis, code, links/images, tables, strikethrough
_MD_SPECIAL = re.compile(r"([\\`*_\[\]|~])")


def md(s: object) -> str:
    """Text from audited sites as inert Markdown: no HTML, no links, no table breaks."""
    text = str(s).replace("\r", " ").replace("\n", " ")
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return _MD_SPECIAL.sub(r"\\\1", text)


def code(s: object) -> str:
    """A code span that survives any content: fence longer than any backtick run, table pipes escaped."""
    text = str(s).replace("\r", " ").replace("\n", " ").replace("|", "\\|")
    fence = "`" * (max((len(r) for r in re.findall("`+", text)), default=0) + 1)
    pad = " " if text.startswith("`") or text.endswith("`") else ""
    return f"{fence}{pad}{text}{pad}{fence}"


ICON = {"clean": "🟢", "critical": "🟥", "high": "🔴", "medium": "🟠", "low": "🟡", "incomplete": "⬜", "missing": "⬜"}


class MarkdownFormat(OutputFormat):
    name = "markdown"
    filename = "summary.md"

    def render(self, run: RunData, lang: str) -> str:
        L = Labels(lang)
        r = run.run
        em = run.evidence_manifest
        head = [f"## {L['title']}", "",
                f"**{L['run_id']}:** {code(r.get('id', '—'))} · {L['period']}: {md(r.get('started_utc', '—'))} – "
                f"{md(r.get('ended_utc', '—'))}", ""]
        if run.status == "complete" and not run.missing:
            head += [f"✅ {L['status_complete']}", ""]
        else:
            head += [f"⚠️ **{L['status_incomplete']}**", ""] + [f"- {md(x)}" for x in run.missing] + [""]
        if em:
            head += [f"{L['evidence_manifest_hash']}: `{em.sha256}`", ""]
        head += [f"### {L['sec_summary']}", "",
                 "| " + L["domain"] + " | " + " | ".join(md(L.choice(c)) for c in run.choices) + " |",
                 "|---" * (len(run.choices) + 1) + "|"]
        for d, cells in matrix(run):
            row = []
            for c in cells:
                if c.state == "clean":
                    row.append(f"{ICON['clean']} {L['cell_clean']}")
                elif c.state == "findings":
                    row.append(f"{ICON.get(c.worst or '', '')} {L.n_findings(c.count)} ({L.severity(c.worst)})")
                else:
                    row.append(f"{ICON[c.state]} {L['cell_' + c.state]}")
                if c.state in ("clean", "findings") and c.outcome in ("unverified", "not-performed"):
                    row[-1] += f" ⚠ {L['cell_unverified']}"
            head.append(f"| {code(d.host)} | " + " | ".join(row) + " |")
        head += ["", " · ".join(f"{L.severity(s)}: **{n}**" for s, n in severity_totals(run).items()), ""]
        lines = [f"### {L['top_findings']}", ""]
        fs = [f for f in run.sorted_findings() if counts(f)]
        if not fs:
            lines.append(L["no_findings"])
        text = "\n".join(head + lines) + "\n"
        shown = 0
        for f in fs:
            st = f.baseline_status
            line = (f"- **{L.severity(f.severity)}**{' (' + L.fstatus(st) + ')' if st else ''} "
                    f"{code(f.rule)} {code(f.domain)} · "
                    f"{md(L.choice(f.choice))} · {md(L.time(f.t, f.choice))}: {md(L.message(f))} "
                    f"({code(f.id)})\n")
            tail = L["more_in_report"].format(n=len(fs) - shown) + "\n"
            if len((text + line + tail).encode("utf-8")) > MAX_BYTES - 200:
                text += tail
                break
            text += line
            shown += 1
        return text
