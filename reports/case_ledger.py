"""《控辍保学总台账》 page and its Excel export (thin views). What it holds and
for whom: reports/ledgers/cases.py, the same machinery as every ledger."""

from django.contrib.auth.decorators import login_required
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from . import ledgers
from .views import _export, _page


@login_required
def case_ledger(request):
    selection = ledgers.select_case_ledger(request.user, request.GET)
    return _page(request, selection, reverse("reports:case_ledger_export"))


@login_required
@require_http_methods(["GET", "POST"])
def case_ledger_export(request):
    return _export(request, ledgers.select_case_ledger(request.user, request.GET))
