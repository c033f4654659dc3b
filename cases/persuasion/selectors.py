"""劝学记录: reads — a case's records and files, who may record, the form's
first participant and the case page's list."""

from students.jurisdiction import Role, access

from ..models import Attachment, Case, Participant, PersuasionRecord

Side = Participant.Side

# The side a recorder is on, to prefill the first participant.
SIDE_OF_ROLE = {
    Role.TEACHER: Side.SCHOOL,
    Role.SCHOOL_ADMIN: Side.SCHOOL,
    Role.VILLAGE: Side.VILLAGE,
    Role.TOWNSHIP: Side.TOWNSHIP,
}
TITLE_OF_ROLE = {Role.TEACHER: "班主任", Role.VILLAGE: "村（社区）干部", Role.TOWNSHIP: "乡镇干部"}


def records_for_case(case):
    """The case's records, newest first, with participants and attachments."""
    return (
        PersuasionRecord.objects.filter(case=case)
        .select_related("recorded_by")
        .prefetch_related("participants", "attachments")
        .order_by("-at", "-pk")
    )


def record_for_case(case, pk):
    """One record of this case, or PersuasionRecord.DoesNotExist."""
    return records_for_case(case).get(pk=pk)


def attachment_for_case(case, pk):
    return Attachment.objects.filter(case=case).get(pk=pk)


def may_record(user, case):
    """Everyone who reaches the child through a role may record a contact,
    while the case has not been struck off (销号)."""
    return case.state != Case.State.CLOSED and access(user).may_record_persuasion(case)


def first_participant(user, case):
    """The recorder as the first participant of a new record."""
    roles = access(user).roles_for(case.child)
    role = next((r for r in SIDE_OF_ROLE if r in roles), None)
    return {
        "name": user.get_full_name() or user.username,
        "side": SIDE_OF_ROLE.get(role, Side.OTHER),
        "role": TITLE_OF_ROLE.get(role, ""),
    }


def list_context(user, case):
    """What templates/cases/persuasion/_list.html needs besides `case`."""
    return {"persuasions": records_for_case(case), "may_record_persuasion": may_record(user, case)}
