"""Consent managers' common category names, as policy categories.

Shared by the consent driver (browse/consent) and the rules, which never import the browser layer.
"""

from __future__ import annotations

# Policy category synonyms used when a domain does not map a manager's category names explicitly.
SYNONYMS: dict[str, str] = {
    "necessary": "necessary", "essential": "necessary", "required": "necessary", "strictly-necessary": "necessary",
    "technical": "necessary", "security": "necessary",
    "performance": "performance", "analytics": "performance", "analytic": "performance", "statistics": "performance",
    "measurement": "performance",
    "functional": "functional", "functionality": "functional", "preferences": "functional", "support": "functional",
    "personalization": "functional", "personalisation": "functional",
    "targeting": "targeting", "marketing": "targeting", "advertising": "targeting", "ads": "targeting",
    "advertisement": "targeting", "social": "targeting",
}
