from django.urls import path

from . import views as ev

urlpatterns = [
    path("<int:pk>/endings/destination/", ev.ending_destination, name="ending_destination"),
    path("<int:pk>/endings/confirm/", ev.ending_confirm, name="ending_confirm"),
    path("<int:pk>/endings/close/", ev.ending_close, name="ending_close"),
    path("<int:pk>/reopen/", ev.case_reopen, name="case_reopen"),
]
