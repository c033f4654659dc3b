from django.urls import path

from . import views

app_name = "cases"

urlpatterns = [
    path("", views.case_list, name="case_list"),
    path("<int:pk>/", views.case_detail, name="case_detail"),
    path("open/<int:child_pk>/", views.open_case, name="open_case"),
    path("todos/", views.todo_list, name="todo_list"),
]
