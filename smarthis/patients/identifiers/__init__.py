"""Identity documents a patient presents: CCCD (QR or chip), VNeID, BHYT card.

Pure domain code: no HTTP, no database. Every rule broken raises DomainError with its own
code and the field it concerns.
"""

from smarthis.patients.identifiers.bhyt import BhytCard, parse_bhyt
from smarthis.patients.identifiers.bhyt_data import (
    BENEFICIARY_GROUPS,
    BENEFIT_LEVELS,
    BeneficiaryGroup,
    BenefitLevel,
)
from smarthis.patients.identifiers.card_fields import Sex, parse_sex
from smarthis.patients.identifiers.cccd import CccdInfo, check_cccd_consistency, parse_cccd
from smarthis.patients.identifiers.cccd_card import CccdCard
from smarthis.patients.identifiers.cccd_qr import parse_cccd_qr
from smarthis.patients.identifiers.chip_reader import parse_chip_reader
from smarthis.patients.identifiers.identify import Identified, identify
from smarthis.patients.identifiers.vneid import VneidIdentity, parse_vneid

__all__ = [
    "BENEFICIARY_GROUPS",
    "BENEFIT_LEVELS",
    "BeneficiaryGroup",
    "BenefitLevel",
    "BhytCard",
    "CccdCard",
    "CccdInfo",
    "Identified",
    "Sex",
    "VneidIdentity",
    "check_cccd_consistency",
    "identify",
    "parse_bhyt",
    "parse_cccd",
    "parse_cccd_qr",
    "parse_chip_reader",
    "parse_sex",
    "parse_vneid",
]
