from django.urls import path

from . import views

urlpatterns = [
    path("children/<int:child_pk>/status/", views.child_status, name="child_status"),
]
