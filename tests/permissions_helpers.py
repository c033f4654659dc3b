"""The permission matrix: every URL of the project, as every role, inside and
outside its reach (tests/test_permissions.py).

URLs are discovered by walking the resolver, so a new page is in the matrix
the day it is added. What is skipped is skipped by name, with its reason;
what a URL's kwargs name is said once in KWARG_OBJECTS / PK_BY_ROUTE, and a
kwarg nobody has described fails the matrix instead of being left out.
"""

import datetime
import io
from dataclasses import dataclass, field

from django.core.files.base import ContentFile
from django.db import transaction
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone
from PIL import Image

# Top-level routes left out of the matrix, each with its reason.
SKIPPED_ROUTES = {
    "admin/": "Django's admin site: staff-only by its own login, checked by the admin's tests",
    "healthz": "public by design: the monitoring probe answers without a login",
    "login/": "public by design: the login form itself",
    "logout/": "public by design: logging out needs no reach",
    "static/": "static files: public assets, no data",
    "media/": "uploaded files are never served from MEDIA_URL; views stream them",
}

# What a route's `pk` names, by the start of the route (first match wins).
PK_BY_ROUTE = [
    ("checks/term/submit/", "term_list"),
    ("cases/notices/", "notice"),
    ("reports/notices/", "notice"),
    ("cases/calendar/terms/", "term"),
    ("cases/calendar/days/", "day"),
    ("cases/", "case"),
    ("children/", "child"),
    ("households/", "household"),
    ("imports/", "batch"),
    ("checks/leads/", "lead"),
]
# Every other kwarg, by name: an object of the bundle, or a fixed value.
KWARG_OBJECTS = {
    "child_pk": "child",
    "village_pk": "village",
    "record_pk": "record",
    "attachment_pk": "attachment",
    "dpk": "disposition",
    "case_pk": "case",
}
KWARG_VALUES = {
    "slug": "school-age",  # a ledger (reports/ledgers/definitions.py), not an object
    "field": "presence_photo",  # the persuasion record's photo
}

OUTSIDE_OK = {403, 404, 405}


@dataclass
class Route:
    route: str
    name: str
    pattern: URLPattern
    kwargs: list = field(default_factory=list)


def discover(urlconf=None):
    """(routes, skipped): every URL pattern of the project, walked from the root."""
    routes, skipped = [], []

    def walk(resolver, prefix):
        for p in resolver.url_patterns:
            here = prefix + str(p.pattern)
            top = next((s for s in SKIPPED_ROUTES if here.startswith(s)), None)
            if top is not None:
                skipped.append((here, SKIPPED_ROUTES[top]))
                continue
            if isinstance(p, URLResolver):
                walk(p, here)
            else:
                kwargs = list(p.pattern.regex.groupindex)
                routes.append(Route(here, p.name or "", p, kwargs))

    walk(get_resolver(urlconf), "")
    return routes, skipped


def path_for(route, bundle):
    """The URL of a route with the bundle's objects, or raise KeyError."""
    values = {}
    for kw in route.kwargs:
        if kw == "pk":
            kind = next((k for prefix, k in PK_BY_ROUTE if route.route.startswith(prefix)), None)
            if kind is None:
                raise KeyError(f"{route.route}: `pk` names nothing in PK_BY_ROUTE")
            values[kw] = bundle[kind].pk
        elif kw in KWARG_OBJECTS:
            values[kw] = bundle[KWARG_OBJECTS[kw]].pk
        elif kw in KWARG_VALUES:
            values[kw] = KWARG_VALUES[kw]
        else:
            raise KeyError(f"{route.route}: kwarg `{kw}` is in neither KWARG_OBJECTS nor VALUES")
    url = "/" + route.route
    for kw, value in values.items():
        url = _fill(url, kw, value)
    return url


def _fill(url, kw, value):
    import re

    return re.sub(r"<(?:\w+:)?" + kw + ">", str(value), url)


def names_an_object(route):
    return any(kw == "pk" or kw in KWARG_OBJECTS for kw in route.kwargs)


def request(client, method, url):
    """One request, rolled back afterwards: an empty POST that happens to be
    valid (a delete) leaves the next request the same objects."""
    with transaction.atomic():
        response = client.get(url) if method == "GET" else client.post(url, {})
        transaction.set_rollback(True)
    return response


def run_matrix(client, routes, *, user, inside, outside, sees_everything=False):
    """[problem, …] for one user: inside never 500; outside 403/404/405."""
    problems = []
    client.raise_request_exception = False
    client.force_login(user)
    for r in routes:
        try:
            url_in = path_for(r, inside)
            url_out = path_for(r, outside) if names_an_object(r) else None
        except KeyError as e:
            problems.append(e.args[0])
            continue
        for method in ("GET", "POST"):
            code = request(client, method, url_in).status_code
            if code >= 500:
                problems.append(f"{user} {method} {url_in} (inside): {code}")
            if url_out is None:
                continue
            code = request(client, method, url_out).status_code
            if sees_everything:
                if code >= 500:
                    problems.append(f"{user} {method} {url_out} (other county): {code}")
            elif code not in OUTSIDE_OK:
                problems.append(f"{user} {method} {url_out} (outside): {code}")
    client.logout()
    return problems


def run_anonymous(client, routes, *, bundle):
    problems = []
    client.raise_request_exception = False
    client.logout()
    for r in routes:
        try:
            url = path_for(r, bundle)
        except KeyError as e:
            problems.append(e.args[0])
            continue
        for method in ("GET", "POST"):
            response = request(client, method, url)
            if response.status_code != 302 or not response["Location"].startswith("/login/"):
                problems.append(f"anonymous {method} {url}: {response.status_code}")
    return problems


# --- the objects ---------------------------------------------------------------


def _png():
    buf = io.BytesIO()
    Image.new("RGB", (4, 4), "white").save(buf, "PNG")
    return ContentFile(buf.getvalue(), name="photo.png")


def build_bundle(child, *, school, opened_by, batch_owner, tag):
    """A child with one of everything a URL can name: household, village,
    case, persuasion record (with a photo), attachment, notice, disposition,
    import batch, lead, term and local calendar day."""
    from cases import services
    from cases.models import (
        Attachment,
        CalendarDay,
        Disposition,
        PersuasionRecord,
        ReturnNotice,
        Term,
        Todo,
    )
    from students.models import ImportBatch, Lead

    village = child.village
    county = village.township.county
    case = services.open_case_by_hand(child=child, by=opened_by, note="矩阵")
    record = PersuasionRecord.objects.create(
        case=case,
        at=timezone.now(),
        method=PersuasionRecord.Method.HOME_VISIT,
        process="入户劝学",
        outcome=PersuasionRecord.Outcome.UNDECIDED,
        recorded_by=opened_by,
        presence_photo=_png(),
    )
    attachment = Attachment.objects.create(
        case=case, record=record, file=_png(), uploaded_by=opened_by
    )
    notice = ReturnNotice.objects.create(
        case=case,
        township=village.township,
        year=2026,
        number=1,
        issued_on=datetime.date(2026, 3, 2),
        return_deadline=datetime.date(2026, 3, 5),
        guardian_name="监护人",
        legal_basis="《中华人民共和国义务教育法》第五条",
        issued_by=opened_by,
    )
    disposition = Disposition.objects.create(
        case=case, kind=Disposition.Kind.SUSPENSION, requested_by=opened_by
    )
    batch = ImportBatch.objects.create(
        kind=ImportBatch.Kind.ROSTER,
        county=county,
        village=village,
        user=batch_owner,
        filename=f"{tag}.xlsx",
        state=ImportBatch.State.PREVIEW,
    )
    lead = Lead.objects.create(
        kind=Lead.Kind.ABSENT,
        period="2026-03",
        person_key=child.id_number,
        name=child.name,
        county=county,
        village=village,
        school=school,
        child=child,
        detail="学籍在册，未到校",
    )
    term = Term.objects.create(
        county=county,
        name=f"2026年春季学期{tag}",
        start=datetime.date(2026, 3, 2),
        end=datetime.date(2026, 7, 10),
    )
    day = CalendarDay.objects.create(
        county=county, school=school, date=datetime.date(2026, 4, 3), kind="off"
    )
    term_list = Todo.objects.create(
        key=f"term-list-{term.pk}-v{village.pk}",
        kind=Todo.Kind.TERM_LIST,
        title="报送《动态摸排未到校学生名单》",
        role="village",
        village=village,
        county=county,
        due_on=datetime.date(2026, 3, 13),
    )
    return {
        "child": child,
        "household": child.household,
        "village": village,
        "case": case,
        "record": record,
        "attachment": attachment,
        "notice": notice,
        "disposition": disposition,
        "batch": batch,
        "lead": lead,
        "term": term,
        "day": day,
        "term_list": term_list,
    }
