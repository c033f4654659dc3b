from django.urls import path

from . import views

urlpatterns = [
    path("<int:pk>/placement/", views.place, name="placement"),
]
