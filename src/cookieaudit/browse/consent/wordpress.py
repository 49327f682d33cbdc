"""Adapters for consent managers that ship as WordPress plugins (state in first-party cookies)."""

from __future__ import annotations

from .adapter import CmpAdapter

WORDPRESS_ADAPTERS: tuple[CmpAdapter, ...] = ()
