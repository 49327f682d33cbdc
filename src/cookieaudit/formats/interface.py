"""The one interface every output format implements."""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import ClassVar

from .rundata import RunData


class OutputFormat(ABC):
    """Turns a loaded run folder into one (or a few) output files.

    ``render`` is pure: it reads the RunData and returns the file content; writing into the run folder is done
    by :func:`cookieaudit.formats.render`, which also takes care of the evidence manifest.
    """

    name: ClassVar[str]                     # what the user types: --format html,junit
    filename: ClassVar[str]                 # the file written into the run folder
    overwrite: ClassVar[bool] = True        # False: an existing file is kept as it is (findings.json)

    @abstractmethod
    def render(self, run: RunData, lang: str) -> bytes | str:
        """The content of ``filename``."""

    def outputs(self, run: RunData, lang: str) -> dict[str, bytes | str]:
        """filename -> content. Formats that write several files (csv) override this."""
        return {self.filename: self.render(run, lang)}

    def filenames(self) -> tuple[str, ...]:
        return (self.filename,)
