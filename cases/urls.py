from django.urls import path

from . import views
from .attendance import urls as attendance_urls
from .calendar import urls as calendar_urls
from .closing import urls as closing_urls
from .dispositions import urls as disposition_urls
from .endings import urls as ending_urls
from .notices import urls as notices_urls
from .persuasion import urls as persuasion_urls
from .placement import urls as placement_urls
from .status import urls as status_urls

app_name = "cases"

# The case itself (一生一案): the list, its file, opening by hand, to-dos.
urlpatterns = [
    path("", views.case_list, name="case_list"),
    path("<int:pk>/", views.case_detail, name="case_detail"),
    path("open/<int:child_pk>/", views.open_case, name="open_case"),
    path("<int:pk>/return/", views.record_return, name="record_return"),
    path("todos/", views.todo_list, name="todo_list"),
]
# Each domain word's pages, in its own package.
urlpatterns += attendance_urls.urlpatterns  # 考勤
urlpatterns += persuasion_urls.urlpatterns  # 劝学记录
urlpatterns += notices_urls.urlpatterns  # 报告单, 限期返校通知书
urlpatterns += disposition_urls.urlpatterns  # 六处置
urlpatterns += ending_urls.urlpatterns  # 转学, 外出就读, 户籍迁出, 死亡, 重新启动
urlpatterns += calendar_urls.urlpatterns  # 校历
urlpatterns += status_urls.urlpatterns  # 入学状态 by hand, with its case
urlpatterns += closing_urls.urlpatterns  # 学籍 after 复学, 销号 proposed and confirmed
urlpatterns += placement_urls.urlpatterns  # 未入学: placement by age
