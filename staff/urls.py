from django.urls import path

from staff import api

urlpatterns = [
    path("sign-in-tiles/", api.SignInTilesView.as_view(), name="sign-in-tiles"),
    path("pin-sign-in/", api.PinSignInView.as_view(), name="pin-sign-in"),
    path("sign-out/", api.SignOutView.as_view(), name="sign-out"),
    path("me/", api.MeView.as_view(), name="me"),
    path("<int:person_id>/unlock-pin/", api.UnlockPinView.as_view(), name="unlock-pin"),
    path("<int:person_id>/clear-pin-wait/", api.ClearPinWaitView.as_view(), name="clear-pin-wait"),
    path("clock-in/", api.ClockInView.as_view(), name="clock-in"),
    path("clock-out/", api.ClockOutView.as_view(), name="clock-out"),
    path("shifts/", api.WorkShiftListView.as_view(), name="shifts"),
    path("audit/", api.AuditLogView.as_view(), name="audit"),
]
