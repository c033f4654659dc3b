from django.urls import path

from . import views

urlpatterns = [
    path(
        "<int:pk>/close/<slug:action>/",
        views.close_action,
        name="close_action",
    ),
]
