from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from cases.termlist import views as termlist_views

from . import accounts, views

admin.site.site_header = "控辍保学管理系统"
admin.site.site_title = "控辍保学"
admin.site.index_title = "数据管理"

urlpatterns = [
    path("healthz", views.healthz, name="healthz"),
    path("login/", auth_views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("password/", accounts.PasswordChangeView.as_view(), name="password_change"),
    path("admin/", admin.site.urls),
    path("reports/", include("reports.urls")),
    path("cases/", include("cases.urls")),
    path("", views.home, name="home"),
    # The term-start check reads the county's calendar (cases/termlist/).
    path("checks/term/", termlist_views.term_check, name="term_check"),
    path("checks/term/submit/<int:pk>/", termlist_views.term_list_submit, name="term_list_submit"),
    path("", include("students.urls")),
]
