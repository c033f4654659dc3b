"""Excel import pages: upload, preview with every error, commit, progress."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from .. import importing, outbox, tasks
from ..audit.services import Action, record_access
from ..jurisdiction import access
from ..models import ImportBatch, Village
from . import workbooks
from .forms import UploadForm

Kind = ImportBatch.Kind
State = ImportBatch.State


def _batches_for_user(user):
    return ImportBatch.objects.filter(access(user).import_batches()).select_related(
        "county", "village", "school", "user"
    )


def _get_batch_for_user(user, pk):
    return get_object_or_404(_batches_for_user(user), pk=pk)


@login_required
def import_list(request):
    form = UploadForm(
        request.POST or None,
        request.FILES or None,
        user=request.user,
        initial={"kind": request.GET.get("kind", Kind.ROSTER)},
    )
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        batch = ImportBatch(
            kind=d["kind"],
            county=d["county"],
            village=d["village"],
            school=d["school"],
            user=request.user,
            filename=d["file"].name[:255],
        )
        batch.file.save(d["file"].name, d["file"], save=False)
        batch.save()
        outbox.enqueue(tasks.check_import, batch.pk, request=request)
        return redirect("import_detail", pk=batch.pk)
    batches = _batches_for_user(request.user)[:20]
    villages = list(form.fields["village"].queryset[:13])
    return render(
        request,
        "students/import_list.html",
        # One template per village for a cadre or a township; a county gets the blank one.
        {
            "form": form,
            "batches": batches,
            "template_villages": villages if len(villages) <= 12 else [],
        },
    )


@login_required
def import_detail(request, pk):
    batch = importing.fail_if_stuck(_get_batch_for_user(request.user, pk))
    return render(
        request,
        "students/import_detail.html",
        {"batch": batch, "done": importing.progress_of(batch), "errors": batch.errors[:500]},
    )


@login_required
def import_progress(request, pk):
    batch = importing.fail_if_stuck(_get_batch_for_user(request.user, pk))
    return JsonResponse(
        {
            "state": batch.state,
            "label": batch.get_state_display(),
            "done": importing.progress_of(batch),
            "total": batch.total_rows,
            "busy": batch.is_busy,
        }
    )


@login_required
@require_POST
def import_commit(request, pk):
    batch = _get_batch_for_user(request.user, pk)
    if importing.claim(batch.pk, from_state=State.PREVIEW, to_state=State.COMMITTING) is None:
        messages.error(request, "该批次不能再导入（可能已导入或有错误）。")
    else:
        outbox.enqueue(tasks.commit_import, batch.pk, request=request)
    return redirect("import_detail", pk=batch.pk)


@login_required
def import_error_sheet(request, pk):
    batch = _get_batch_for_user(request.user, pk)
    if not batch.errors or not batch.file:
        raise Http404("该批次没有错误。")
    record_access(
        user=request.user,
        action=Action.DOWNLOAD,
        county=batch.county_id,
        detail=f"导入错误表“{batch.filename}”（批次#{batch.pk}）",
    )
    return workbooks.error_response(batch)


@login_required
def import_template(request):
    kind = request.GET.get("kind", Kind.ROSTER)
    if kind not in Kind.values:
        raise Http404("没有这种模板。")
    villages = Village.objects.filter(access(request.user).villages()).select_related("township")
    village = None
    if request.GET.get("village"):
        village = get_object_or_404(villages, pk=request.GET["village"])
    elif kind == Kind.ROSTER and len(villages[:2]) == 1:
        village = villages[0]
    place = _place_name(request.user)
    return workbooks.template_response(kind, village=village, place=place)


def _place_name(user):
    return str(access(user).first_place() or "")
