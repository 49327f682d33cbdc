"""cookieaudit: audit websites for cookie and tracker compliance against their own privacy policy."""

__version__ = "0.1.0"
