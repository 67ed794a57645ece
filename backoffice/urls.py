from django.urls import path

from backoffice import floor_api, floor_views, views

app_name = "manager"

urlpatterns = [
    path("", views.home, name="home"),
    # the floor-plan editor
    path("floor/", floor_views.floor_editor, name="floor"),
    path("floor/api/<int:outlet_id>/", floor_api.FloorPlanView.as_view(), name="floor-plan"),
]
