"""Knowledge base: vendor signatures (curated data), the Open Cookie Database, an optional tracking filter
list, first/third-party logic, and the classification of observed requests, cookies and storage items.

    from cookieaudit.kb import load_kb
    kb = load_kb()                                   # cached; loads in well under a second
    clf = kb.classifier(["online-3d-printen.nl", ...])
    clf.request(url, resource_type) / clf.cookie(name, domain, set_by) / clf.storage(origin, key, kind)
    kb.versions()                                    # dataset provenance for reports
"""

from .base import KnowledgeBase, load_kb
from .classify import Classifier
from .model import CATEGORIES, Attribution, VendorInfo
from .parties import Parties, registrable_domain

__all__ = ["KnowledgeBase", "load_kb", "Classifier", "Attribution", "VendorInfo", "CATEGORIES", "Parties",
           "registrable_domain"]
