from .audit import ExportLog, SensitiveAccess
from .checks import CrossCheckRun, Lead, TermCheck
from .jurisdiction_settings import JurisdictionSettings, default_ladder
from .memberships import Membership
from .places import County, School, SchoolKind, Township, Village, VillageGroup
from .presets import LadderPreset
from .roster import Child, ChildStatus, Household
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
