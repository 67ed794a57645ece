from django.urls import path

from tables import api

urlpatterns = [path("outlets/", api.OutletListView.as_view(), name="outlets")]
