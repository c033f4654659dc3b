# The models live in cases/models/persuasion.py (Django loads them from cases.models).
from ..models.persuasion import Attachment, Participant, PersuasionRecord  # noqa: F401
