"""Excel import pages: upload, preview with every error, commit, progress."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from . import import_workbooks, importing, tasks
from .jurisdiction import access
from .models import ImportBatch, School, Village

Kind = ImportBatch.Kind
State = ImportBatch.State


class UploadForm(forms.Form):
    kind = forms.ChoiceField(label="导入内容", choices=Kind.choices)
    village = forms.ModelChoiceField(
        label="村（社区）",
        queryset=Village.objects.none(),
        required=False,
        help_text="底数台账：整张表属于这个村。乡镇、县级用户可留空，按表中“村名”列导入。",
    )
    school = forms.ModelChoiceField(
        label="学校",
        queryset=School.objects.none(),
        required=False,
        help_text="学籍表：整张表属于这所学校（表中有“学校名称”列时可留空）。",
    )
    file = forms.FileField(label="Excel 文件（.xlsx 或 .xls）")

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["village"].queryset = Village.objects.filter(
            access(user).villages()
        ).select_related("township")
        self.fields["school"].queryset = School.objects.filter(access(user).schools())

    def clean(self):
        data = super().clean()
        kind, village, school = data.get("kind"), data.get("village"), data.get("school")
        villages = self.fields["village"].queryset
        if kind != Kind.XUEJI and not villages.exists():
            raise forms.ValidationError("您的账号没有管辖的村（社区），只能导入学籍表。")
        if kind == Kind.ROSTER and village is None and villages.count() == 1:
            data["village"] = villages.first()
        if kind == Kind.XUEJI and school is None and self.fields["school"].queryset.count() == 1:
            data["school"] = self.fields["school"].queryset.first()
        place = (
            data.get("village")
            or data.get("school")
            or villages.first()
            or self.fields["school"].queryset.first()
        )
        if place is None:
            raise forms.ValidationError("请选择村（社区）或学校。")
        data["county"] = (place.township if hasattr(place, "township") else place).county
        return data


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
        transaction.on_commit(lambda: tasks.check_import.delay(batch.pk))
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
    batch = _get_batch_for_user(request.user, pk)
    return render(
        request,
        "students/import_detail.html",
        {"batch": batch, "done": importing.progress_of(batch), "errors": batch.errors[:500]},
    )


@login_required
def import_progress(request, pk):
    batch = _get_batch_for_user(request.user, pk)
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
        transaction.on_commit(lambda: tasks.commit_import.delay(batch.pk))
    return redirect("import_detail", pk=batch.pk)


@login_required
def import_error_sheet(request, pk):
    batch = _get_batch_for_user(request.user, pk)
    if not batch.errors or not batch.file:
        raise Http404("该批次没有错误。")
    return import_workbooks.error_response(batch)


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
    return import_workbooks.template_response(kind, village=village, place=place)


def _place_name(user):
    return str(access(user).first_place() or "")
