"""Construction billing documents: AIA G702/G703 pay applications and lien waivers.

Pure stages from pages to `models`: `extract_pay_application`, `extract_lien_waiver`, and
`match_waivers` to link a waiver to the pay application it covers. No I/O.
"""

from extractors.billing.lien_waiver import WaiverExtraction, extract_lien_waiver
from extractors.billing.pay_application import PayAppExtraction, extract_pay_application
from extractors.billing.waivers_match import WaiverMatch, match_waivers, unmatched_pay_apps

__all__ = [
    "PayAppExtraction",
    "WaiverExtraction",
    "WaiverMatch",
    "extract_lien_waiver",
    "extract_pay_application",
    "match_waivers",
    "unmatched_pay_apps",
]
