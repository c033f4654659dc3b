"""Builders shared by the 四查三比对 tests (test_crosscheck, test_leads, test_termcheck)."""

import datetime

from students.models import Child, HujiRecord, ImportBatch, Lead, XuejiRecord

from ..conftest import make_id

ON = datetime.date(2026, 3, 15)  # school year 2025–26: born 2010-09-01 … 2019-08-31
TERM = "2026年春季学期"
Kind, State, Status = Lead.Kind, Lead.State, Child.Status


def _batch(world, kind, county=None):
    return ImportBatch.objects.create(
        kind=kind, county=county or world.county, filename=f"{kind}.xlsx"
    )


def _huji(batch, id_number, name, birth, village=None, county=None):
    return HujiRecord.objects.create(
        county=county or batch.county,
        village=village,
        id_number=id_number,
        name=name,
        gender="M",
        birth_date=birth,
        batch=batch,
    )


def _xueji(batch, school, xueji_number, child=None, id_number=None, name="学生"):
    return XuejiRecord.objects.create(
        school=school,
        xueji_number=xueji_number,
        id_number=id_number,
        name=name,
        gender="M",
        birth_date=datetime.date(2015, 3, 8),
        child=child,
        batch=batch,
    )


def _child(name, village, birth=datetime.date(2014, 6, 1), seq=None, **kw):
    return Child.objects.create(
        name=name,
        village=village,
        gender="M",
        birth_date=birth,
        id_number=make_id("520103", birth, seq) if seq is not None else None,
        **kw,
    )


def _set_status(child, status):
    Child.objects.filter(pk=child.pk).update(status=status)
    child.refresh_from_db()


def _keys(kind, period="2026-03"):
    return set(Lead.objects.filter(kind=kind, period=period).values_list("person_key", flat=True))
