from .audit import AccessLog
from .checks import CrossCheckRun, Lead, TermCheck
from .handover import HandoverEntry
from .jurisdiction_settings import JurisdictionSettings, default_ladder
from .memberships import Membership
from .outbox import OutboxMessage
from .places import County, School, SchoolKind, Township, Village, VillageGroup
from .presets import LadderPreset
from .roster import Child, ChildStatus, Household
from .sources import HujiRecord, ImportBatch, PovertyRecord, XuejiRecord

__all__ = [
    "AccessLog",
    "Child",
    "ChildStatus",
    "County",
    "CrossCheckRun",
    "HandoverEntry",
    "Household",
    "HujiRecord",
    "ImportBatch",
    "JurisdictionSettings",
    "LadderPreset",
    "Lead",
    "Membership",
    "OutboxMessage",
    "PovertyRecord",
    "School",
    "SchoolKind",
    "TermCheck",
    "Township",
    "Village",
    "VillageGroup",
    "XuejiRecord",
    "default_ladder",
]
