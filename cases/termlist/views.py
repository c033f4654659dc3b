"""/checks/term/: the term-start check of the county's current term.

Villages, schools and class teachers answer for their children and each
village and school submits its list (its deadline is a to-do); the township
and the county follow every place's list. Thin: reads in selectors.py and
students/termcheck.py, writes in services.py and students/termcheck.py.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from students import termcheck
from students.jurisdiction import access

from . import selectors, services

TERM_PER_PAGE = 50


def _term(request):
    return selectors.term_for_user(request.user, on=timezone.localdate())


@login_required
def term_check(request):
    user = request.user
    if not access(user).may_open_term_check():
        raise Http404("开学到校核查由村（社区）干部、学校和乡镇、县教育局使用。")
    term, term_name = _term(request)
    if request.method == "POST":
        if not access(user).may_check_term():
            raise Http404("乡镇和县教育局查看各村、各校的名单，不逐人填写。")
        return _save_term_checks(request, term_name)
    checker = access(user).may_check_term()
    context = {
        "term": term_name,
        "term_obj": term,
        "todo": bool(request.GET.get("todo")),
        "checker": checker,
    }
    if checker:
        children = termcheck.children_for_term_check(user, term=term_name)
        if context["todo"]:
            children = children.filter(tc_present__isnull=True)
        context["page"] = Paginator(children, TERM_PER_PAGE).get_page(request.GET.get("page"))
        context["summary"] = termcheck.term_check_summary(user, term=term_name)
        context["own_lists"] = selectors.own_lists(user, term, term_name)
    if access(user).may_oversee_term_lists():
        context["progress"] = selectors.places_progress(user, term, term_name)
    return render(request, "students/crosscheck/term_check.html", context)


def _save_term_checks(request, term):
    pks = {int(pk) for pk in request.POST.getlist("child") if pk.isdigit()}
    children = termcheck.term_check_children(request.user, term=term, pks=pks)
    if len(children) != len(pks):
        raise Http404("名单中有不在您管辖范围内的学生。")
    entries = []
    for child in children:
        answer = request.POST.get(f"p{child.pk}")
        if answer not in ("1", "0"):
            continue  # not answered yet
        present, note = answer == "1", request.POST.get(f"n{child.pk}", "").strip()
        if (present, note) != (child.tc_present, child.tc_note or ""):
            entries.append((child, present, note))
    try:
        saved = termcheck.record_term_checks(term=term, entries=entries, by=request.user)
    except ValidationError as e:
        for msg in e.messages:
            messages.error(request, msg)
    else:
        messages.success(request, f"已保存 {saved} 名学生的到校情况。")
    return redirect(request.get_full_path())


@login_required
@require_POST
def term_list_submit(request, pk):
    """A village or school submits its list of the current term (its own to-do)."""
    term, term_name = _term(request)
    if term is None:
        raise Http404("本县尚未录入本学期校历。")
    todo = get_object_or_404(selectors.own_term_list_queryset(request.user, term), pk=pk)
    place = todo.village or todo.school
    if todo.done_at:
        messages.info(
            request, f"{place}的名单已于 {timezone.localtime(todo.done_at):%Y-%m-%d} 报送。"
        )
        return redirect("term_check")
    try:
        counts = services.submit_term_list(todo=todo, by=request.user, term_name=term_name)
    except ValidationError as e:
        messages.error(request, f"{place}：{'；'.join(e.messages)}")
    else:
        messages.success(
            request,
            f"{place}《动态摸排未到校学生名单》已报送（{term_name}）："
            f"核查 {counts['checked']} 人，未到校 {counts['absent']} 人。",
        )
    return redirect("term_check")
