"""Adapters for IAB TCF v2 consent managers: the generic ``__tcfapi`` reader and the managers built on it."""

from __future__ import annotations

from .adapter import CmpAdapter

TCF_ADAPTERS: tuple[CmpAdapter, ...] = ()
