"""`python -m cookieaudit.rules` prints the rule catalogue as Markdown (docs/rules.md)."""

from .catalogue_md import render_markdown

print(render_markdown(), end="")
