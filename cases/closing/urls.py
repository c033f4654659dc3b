from django.urls import path

from . import views

urlpatterns = [
    path("<int:pk>/xueji/", views.close_action, {"action": "xueji"}, name="record_xueji"),
    path(
        "<int:pk>/close/propose/", views.close_action, {"action": "propose"}, name="propose_close"
    ),
    path(
        "<int:pk>/close/confirm/", views.close_action, {"action": "confirm"}, name="confirm_close"
    ),
]
