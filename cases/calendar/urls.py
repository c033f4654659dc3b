from django.urls import path

from . import views

urlpatterns = [
    path("calendar/", views.calendar_page, name="calendar"),
    path("calendar/terms/new/", views.term_new, name="calendar_term_new"),
    path("calendar/terms/<int:pk>/", views.term_edit, name="calendar_term"),
    path("calendar/terms/<int:pk>/delete/", views.term_delete, name="calendar_term_delete"),
    path("calendar/days/new/", views.day_new, name="calendar_day_new"),
    path("calendar/days/<int:pk>/", views.day_edit, name="calendar_day"),
    path("calendar/days/<int:pk>/delete/", views.day_delete, name="calendar_day_delete"),
]
