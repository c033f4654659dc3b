import pytest

from cases import services


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    """Uploads (photos, receipts, evidence) go to a folder of the test's own."""
    settings.MEDIA_ROOT = str(tmp_path / "media")


@pytest.fixture
def case(world):
    """A case opened by hand by the school for the teacher's pupil."""
    return services.open_case_by_hand(child=world.c_class, by=world.school_admin, note="测试")
