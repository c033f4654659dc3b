"""劝学记录 pages (namespace `cases`, included by cases/urls.py)."""

from django.urls import path

from . import views

urlpatterns = [
    path("<int:pk>/persuasion/new/", views.persuasion_new, name="persuasion_new"),
    path(
        "<int:pk>/persuasion/<int:record_pk>/",
        views.persuasion_detail,
        name="persuasion_detail",
    ),
    path(
        "<int:pk>/persuasion/<int:record_pk>/<str:field>/",
        views.persuasion_photo,
        name="persuasion_photo",
    ),
    path(
        "<int:pk>/attachments/<int:attachment_pk>/",
        views.attachment_file,
        name="attachment_file",
    ),
]
