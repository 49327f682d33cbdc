"""Errors that end a command with a documented exit code and a message that says how to fix the cause."""

from __future__ import annotations

EXIT_OK = 0
EXIT_FINDINGS = 1
EXIT_INCOMPLETE = 2
EXIT_USAGE = 64


class CookieauditError(Exception):
    exit_code = 1

    def __init__(self, message: str, fix: str | None = None):
        super().__init__(message)
        self.message = message
        self.fix = fix

    def __str__(self) -> str:
        return self.message + (f"\n  fix: {self.fix}" if self.fix else "")


class ConfigError(CookieauditError):
    """Bad command line, expectations file or other configuration (exit 64)."""

    exit_code = EXIT_USAGE


class BrowserNotFound(ConfigError):
    pass


class OutputError(CookieauditError):
    """The run folder could not be written completely (disk full, permissions): the audit is incomplete (exit 2)."""

    exit_code = EXIT_INCOMPLETE
