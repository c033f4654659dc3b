"""The placement form: grades by the child's age, the schools of the township
that teach them (the village's 责任学校 first), the classes they have."""

from django import forms

from students.jurisdiction import access
from students.models import Child, School

from ..ladder import enrolment

GRADE_LABELS = dict(Child._meta.get_field("grade").choices)


class PlacementForm(forms.Form):
    school = forms.ModelChoiceField(label="入学学校", queryset=School.objects.none())
    grade = forms.TypedChoiceField(label="年级", coerce=int, choices=())
    class_name = forms.CharField(
        label="班级",
        max_length=20,
        help_text="选择已有班级，或填写新班级名称（如：1班）。",
    )
    note = forms.CharField(label="说明", max_length=200, required=False)

    def __init__(self, *args, case, user, **kwargs):
        super().__init__(*args, **kwargs)
        child = case.child
        schools = [
            s
            for s in enrolment.catchment_schools(child)
            if School.objects.filter(access(user).schools(), pk=s.pk).exists()
        ]
        self.fields["school"].queryset = School.objects.filter(pk__in=[s.pk for s in schools])
        grades = sorted({g for s in schools for g in enrolment.grade_choices(child, s)})
        self.fields["grade"].choices = [(g, GRADE_LABELS[g]) for g in grades]
        if schools:
            self.fields["school"].initial = schools[0].pk
        if grades:
            self.fields["grade"].initial = grades[-1]  # the grade of the child's age
        self.classes = sorted(
            set(
                Child.objects.filter(school__in=schools, grade__in=grades)
                .exclude(class_name="")
                .values_list("class_name", flat=True)
            )
        )
        self.fields["class_name"].widget.attrs["list"] = "placement-classes"
