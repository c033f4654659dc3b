"""Builders shared by the persuasion and notice tests."""

import datetime
import io

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from cases import ladder, services
from cases.models import Case

DAY = datetime.date(2025, 11, 20)


def png(name="photo.png", size=(8, 8)):
    buf = io.BytesIO()
    Image.new("RGB", size, "white").save(buf, "PNG")
    return SimpleUploadedFile(name, buf.getvalue(), content_type="image/png")


def add_todo(case, kind, role, *, key=None, due_on=DAY):
    todo = ladder.make_todo(case, key=key or kind, kind=kind, title=kind, role=role, due_on=due_on)
    todo.save()
    return todo


def open_case_for(child, by=None):
    return services.open_case(child=child, origin=Case.Origin.ABSENCE, by=by)
