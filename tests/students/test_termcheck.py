"""The term-start check (开学初排查): saving, who sees which children, queries."""

from django.urls import reverse

from students import crosscheck
from students.models import Child, TermCheck

from .crosscheck_helpers import _child

# --------------------------------------------------------------------------
# Term-start check
# --------------------------------------------------------------------------


def test_term_check_saves_and_resaving_updates(world, login):
    w = world
    client = login(w.village_user)
    url = reverse("term_check")
    html = client.get(url).content.decode()
    assert "王小明" in html and "赵四" not in html and "已核查 0 / 1 人" in html

    data = {"child": [w.c_class.pk], f"p{w.c_class.pk}": "0", f"n{w.c_class.pk}": "随父母外出"}
    resp = client.post(url, data, follow=True)
    assert "已保存 1 名学生" in resp.content.decode()
    check = TermCheck.objects.get()
    assert (check.term, check.child, check.present, check.note, check.checked_by) == (
        crosscheck.term_label(),
        w.c_class,
        False,
        "随父母外出",
        w.village_user,
    )
    html = resp.content.decode()
    assert "已核查 1 / 1 人，其中未到校 1 人" in html and "随父母外出" in html

    login(w.teacher).post(url, {"child": [w.c_class.pk], f"p{w.c_class.pk}": "1"})
    check = TermCheck.objects.get()
    assert (check.present, check.note, check.checked_by) == (True, "", w.teacher)
    # Saving the page unchanged writes nothing.
    resp = login(w.teacher).post(
        url, {"child": [w.c_class.pk], f"p{w.c_class.pk}": "1"}, follow=True
    )
    assert "已保存 0 名学生" in resp.content.decode()
    assert TermCheck.objects.get().checked_by == w.teacher


def test_term_check_lists_each_role_its_children(world, login):
    w = world
    url = reverse("term_check")
    html = login(w.school_admin).get(url).content.decode()
    assert all(n in html for n in ("王小明", "李二", "钱五")) and "张三" not in html
    html = login(w.teacher).get(url).content.decode()
    assert "王小明" in html and "李二" not in html
    # The township and the county follow the places' lists (cases/termlist),
    # not each child: no child rows, no answers.
    for user in (w.township_user, w.county_user):
        html = login(user).get(url).content.decode()
        assert "王小明" not in html and 'name="child"' not in html
    assert login(w.nobody).get(url).status_code == 404
    # Marking a child out of reach: 404, nothing saved.
    data = {"child": [w.c_t2.pk], f"p{w.c_t2.pk}": "0"}
    assert login(w.teacher).post(url, data).status_code == 404
    assert not TermCheck.objects.exists()


def test_term_check_page_query_count(world, login, django_assert_max_num_queries):
    for i in range(30):
        _child(f"学生{i}", world.v1)
    client = login(world.village_user)
    with django_assert_max_num_queries(10):
        assert client.get(reverse("term_check")).status_code == 200
    data = {"child": [c.pk for c in Child.objects.filter(village=world.v1)]}
    data.update({f"p{pk}": "1" for pk in data["child"]})
    with django_assert_max_num_queries(12):
        client.post(reverse("term_check"), data)
    assert TermCheck.objects.count() == 31
