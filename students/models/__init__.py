from .checks import CrossCheckRun, Lead, TermCheck
from .presets import LadderPreset
from .roster import (
    Child,
    ChildStatus,
    County,
    ExportLog,
    Household,
    JurisdictionSettings,
    Membership,
    School,
    SchoolKind,
    SensitiveAccess,
    Township,
    Village,
    VillageGroup,
    default_ladder,
)
from .sources import HujiRecord, ImportBatch, PovertyRecord, XuejiRecord

__all__ = [
    "Child",
    "ChildStatus",
    "County",
    "CrossCheckRun",
    "ExportLog",
    "Household",
    "HujiRecord",
    "ImportBatch",
    "JurisdictionSettings",
    "LadderPreset",
    "Lead",
    "Membership",
    "PovertyRecord",
    "School",
    "SchoolKind",
    "SensitiveAccess",
    "TermCheck",
    "Township",
    "Village",
    "VillageGroup",
    "XuejiRecord",
    "default_ladder",
]
