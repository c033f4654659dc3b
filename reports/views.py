"""Ledger pages and their Excel exports.

Thin views: what a ledger holds and for whom is in `reports/ledgers/`.
Pages are masked; an export is masked unless a user allowed to asks for the
full one (a checked box, POST), and then it is logged.
"""

import datetime

import django_tables2 as tables
from django.contrib.auth.decorators import login_required
from django.db.models import Count
from django.http import Http404
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.views.decorators.http import require_http_methods
from django_tables2 import LazyPaginator, RequestConfig

from students.jurisdiction import access
from students.workbooks import workbook_response

from . import ledgers

PER_PAGE = 25
NAME_COLUMNS = {"姓名", "学生姓名"}


class LedgerColumn(tables.Column):
    """One ledger column, rendered from the same cells as the export."""

    def __init__(self, header):
        super().__init__(verbose_name=header, accessor="id", orderable=False, empty_values=())
        self.cell = header

    def render(self, record, table):
        value = table.cells(record)[self.cell]
        if value is None:
            return ""
        if isinstance(value, datetime.datetime):
            return timezone.localtime(value).strftime("%Y-%m-%d %H:%M")
        if isinstance(value, datetime.date):
            return value.strftime("%Y-%m-%d")
        if self.cell in NAME_COLUMNS:
            return format_html(
                '<a href="{}">{}</a>',
                reverse("child_detail", args=[record[table.ledger.child_key]]),
                value,
            )
        return value


class LedgerTable(tables.Table):
    class Meta:
        attrs = {"class": "table"}
        empty_text = "没有符合条件的学生。"

    def __init__(self, data, *, ledger, viewer, **kwargs):
        columns = [(f"c{i}", LedgerColumn(h)) for i, h in enumerate(ledger.page_columns)]
        super().__init__(data, extra_columns=columns, **kwargs)
        self.ledger, self.viewer = ledger, viewer

    def cells(self, record):
        if "_cells" not in record:
            record["_cells"] = self.ledger.cells(record, self.viewer)
        return record["_cells"]


def _page(request, selection, export_url, **context):
    table = LedgerTable(
        selection.values(), ledger=selection.ledger, viewer=ledgers.Viewer.for_user(request.user)
    )
    # LazyPaginator: no COUNT(*) over a county's children on every page.
    RequestConfig(
        request, paginate={"per_page": PER_PAGE, "paginator_class": LazyPaginator}
    ).configure(table)
    return render(
        request,
        "reports/ledger.html",
        {
            "selection": selection,
            "table": table,
            "filter": selection.filterset,
            "export_url": export_url,
            "may_export_full": access(request.user).may_export_full(),
            "full_label": ledgers.FULL_EXPORT_LABEL,
            "confidential": ledgers.CONFIDENTIAL,
            **context,
        },
    )


def _export(request, selection):
    full = request.method == "POST" and request.POST.get("full") == "1"
    if full and not access(request.user).may_export_full():
        raise Http404("无权导出完整身份证号和电话。")
    viewer = ledgers.Viewer.for_user(request.user, full=full)
    wb, rows = ledgers.build_workbook(selection, viewer)
    ledgers.record_export(user=request.user, selection=selection, rows=rows, full=full)
    return workbook_response(wb, ledgers.export_filename(selection, viewer))


@login_required
def index(request):
    user = request.user
    place = ledgers.user_place(user)
    entries = []
    if access(user).may_see_roster_ledgers():
        entries += [
            {
                "title": place.title(ledger.title),
                "url": reverse("reports:child_ledger", args=[slug]),
                "description": ledger.description,
            }
            for slug, ledger in ledgers.CHILD_LEDGERS.items()
        ]
        entries.append(
            {
                "title": place.title(ledgers.CASE_LEDGER.title),
                "url": reverse("reports:case_ledger"),
                "description": ledgers.CASE_LEDGER.description,
            }
        )
        entries.append(
            {
                "title": ledgers.VILLAGE_ROSTER.title + "（分村）",
                "url": reverse("reports:roster_villages"),
                "description": ledgers.VILLAGE_ROSTER.description,
            }
        )
    if access(user).may_see_term_list():
        entries.append(
            {
                "title": place.title(ledgers.TERM_ABSENT.title),
                "url": reverse("reports:term_list"),
                "description": ledgers.TERM_ABSENT.description,
            }
        )
    return render(request, "reports/index.html", {"entries": entries, "place": place})


@login_required
def child_ledger(request, slug):
    selection = ledgers.select_child_ledger(request.user, slug, request.GET)
    return _page(request, selection, reverse("reports:child_ledger_export", args=[slug]))


@login_required
@require_http_methods(["GET", "POST"])
def child_ledger_export(request, slug):
    return _export(request, ledgers.select_child_ledger(request.user, slug, request.GET))


@login_required
def roster_villages(request):
    if not access(request.user).may_see_roster_ledgers():
        raise Http404("您无权查看底数台账。")
    villages = ledgers.roster_villages(request.user).annotate(children_count=Count("children"))
    return render(request, "reports/roster_villages.html", {"villages": villages})


@login_required
def village_roster(request, village_pk):
    selection = ledgers.select_village_roster(request.user, village_pk)
    return _page(request, selection, reverse("reports:village_roster_export", args=[village_pk]))


@login_required
@require_http_methods(["GET", "POST"])
def village_roster_export(request, village_pk):
    return _export(request, ledgers.select_village_roster(request.user, village_pk))


@login_required
def term_list(request):
    selection = ledgers.select_term_list(request.user, request.GET)
    return _page(request, selection, reverse("reports:term_list_export"))


@login_required
@require_http_methods(["GET", "POST"])
def term_list_export(request):
    return _export(request, ledgers.select_term_list(request.user, request.GET))
