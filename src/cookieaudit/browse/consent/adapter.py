"""What a consent-manager adapter is: detection, state read-back, and optional API actions, all as page JavaScript.

Each adapter returns plain JSON from the page so the manager's state is recorded verbatim in the observation.
``state_js`` returns ``{decided: bool, categories: {cmpKey: bool}, raw: any}`` or ``null`` when the manager
is not on the page. A category key ``"*"`` means the manager only knows all-or-nothing consent. The keys are the
level at which the manager stores consent: its categories/purposes, or its services for managers that store
one decision per service (Klaro, tarteaucitron).

``offer_js`` returns what the manager's *live configuration* offers — ``{categories: [{id, label, required}],
services: [{id, label, groups, required}], storage: [{kind, name}]}`` — so that categories are mapped from the
manager's own ids and labels (:mod:`cookieaudit.consent_map`) and its storage is found under whatever name the
integrator gave it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ...category_names import SYNONYMS  # noqa: F401  (re-exported for the adapters)


@dataclass(frozen=True)
class CmpAdapter:
    """One consent manager, as seen from the page."""

    name: str
    detect_js: str          # () => bool
    state_js: str           # () => {decided: bool, categories: {cmpCategory: bool}, raw: any} | null
    apply_js: str | None    # (wantedCmpCategories: string[]) => bool   (per-category choice through the API)
    accept_js: str | None = None
    reject_js: str | None = None
    banner_js: str | None = None  # () => bool, is the first-layer banner visible
    withdraw_js: str | None = None  # () => bool, withdraw through the manager's API (else reject_js is used)
    # the manager's own category names -> policy categories (overrides SYNONYMS; the domain's mapping overrides both)
    category_map: dict[str, str] = field(default_factory=dict)
    all_or_nothing: bool = False  # no per-category choice exists in this manager (only accept / decline)
    # a reader of a standard many managers also speak (TCF, a JSON consent cookie): consulted only when no
    # manager-specific adapter reads a state, so a manager's own (stricter) reading is never overruled
    generic: bool = False
    offer_js: str | None = None     # () => {categories, services, storage} from the live configuration


_VISIBLE = "(el) => !!el && el.getClientRects().length > 0 && getComputedStyle(el).visibility !== 'hidden' && getComputedStyle(el).display !== 'none' && Number(getComputedStyle(el).opacity) > 0.05"

