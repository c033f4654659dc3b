"""Issue 10 point 5: a 底数台账 sheet neither sets nor clears 疑似辍学 / 辍学
(no child may carry them without an open case; cases/status/ keeps them in
step). The row and column say why; an unchanged status re-imports cleanly."""

from django.core.files.uploadedfile import SimpleUploadedFile

from cases.models import Case
from cases.status.services import change_status_by_hand
from students import importing
from students.models import Child, ImportBatch

from .import_helpers import roster_rows, xlsx


def run(world, content, *, commit=True):
    batch = ImportBatch.objects.create(
        kind="roster", county=world.county, user=world.village_user, filename="台账.xlsx"
    )
    batch.file.save("台账.xlsx", SimpleUploadedFile("台账.xlsx", content), save=True)
    return (importing.commit if commit else importing.check)(batch)


def test_a_sheet_cannot_make_a_child_a_suspected_dropout(world):
    rows = roster_rows({(1, "入学状态"): "疑似辍学"})
    for commit in (False, True):
        batch = run(world, xlsx(rows), commit=commit)
        [error] = batch.errors
        assert (error["row"], error["column"]) == (4, "入学状态")
        assert "变更状态" in error["message"]
    assert batch.state == ImportBatch.State.INVALID
    assert not Child.objects.filter(name="刘一").exists()


def test_a_sheet_cannot_clear_the_status_of_a_child_with_a_case(world):
    run(world, xlsx(roster_rows()))
    child = Child.objects.get(name="刘一")
    change_status_by_hand(
        child=child, status=Child.Status.SUSPECTED_DROPOUT, by=world.village_user, reason="不到校"
    )
    assert Case.objects.filter(child=child, state="open").exists()
    batch = run(world, xlsx(roster_rows()))  # the old sheet still says 在读
    assert [(e["row"], e["column"]) for e in batch.errors] == [(4, "入学状态")]
    child.refresh_from_db()
    assert child.status == Child.Status.SUSPECTED_DROPOUT
    # the same status again is no change: the sheet re-imports
    batch = run(world, xlsx(roster_rows({(1, "入学状态"): "疑似辍学"})))
    assert not batch.errors and batch.unchanged == 3
