"""《控辍保学总台账》 page and its Excel export (thin views). What it holds and
for whom: reports/ledgers/cases.py, the same machinery as every ledger."""

from django.contrib.auth.decorators import login_required
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from . import ledgers
from .views import _export, _page

TITLE = ledgers.CASE_LEDGER.title
COLUMNS = ledgers.CASE_LEDGER.columns


def close_cells(case):
    """(销号状态, 销号日期, 销号确认人) of one Case instance, as the page shows them."""
    by = case.close_confirmed_by if case.close_confirmed_by_id else None
    status, on, who = ledgers.close_state(
        {
            "close_confirmed_at": case.close_confirmed_at,
            "close_confirmed_by__first_name": by.first_name if by else "",
            "close_confirmed_by__last_name": by.last_name if by else "",
            "close_confirmed_by__username": by.username if by else "",
            "state": case.state,
            "ending": case.ending,
            "closed_on": case.closed_on,
            "close_proposed_at": case.close_proposed_at,
        }
    )
    return status, f"{on:%Y-%m-%d}" if on else "", who


@login_required
def case_ledger(request):
    selection = ledgers.select_case_ledger(request.user, request.GET)
    return _page(request, selection, reverse("reports:case_ledger_export"))


@login_required
@require_http_methods(["GET", "POST"])
def case_ledger_export(request):
    return _export(request, ledgers.select_case_ledger(request.user, request.GET))
