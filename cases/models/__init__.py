from .attendance import Absence, ClassRollCall
from .calendar import CalendarDay, Term, TermStartCheck
from .case import Case, CaseEvent, Todo
from .dispositions import Disposition, EvidencePreset, HomeTeachingSession
from .notices import DropoutReport, NoticeCounter, ReportRecipient, ReturnNotice
from .persuasion import Attachment, Participant, PersuasionRecord
from .scan import DailyScan
from .steps import StepOverride

__all__ = [
    "Absence",
    "Attachment",
    "CalendarDay",
    "Case",
    "CaseEvent",
    "ClassRollCall",
    "DailyScan",
    "Disposition",
    "DropoutReport",
    "EvidencePreset",
    "HomeTeachingSession",
    "NoticeCounter",
    "Participant",
    "PersuasionRecord",
    "ReportRecipient",
    "ReturnNotice",
    "StepOverride",
    "Term",
    "TermStartCheck",
    "Todo",
]
