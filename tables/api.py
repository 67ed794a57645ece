from rest_framework import serializers
from rest_framework.generics import ListAPIView

from tables.models import Outlet
from tables.selectors import active_outlets


class OutletSerializer(serializers.ModelSerializer):
    class Meta:
        model = Outlet
        fields = ["id", "name", "kind", "prices_include_tax"]


class OutletListView(ListAPIView):
    serializer_class = OutletSerializer

    def get_queryset(self):
        return active_outlets()
