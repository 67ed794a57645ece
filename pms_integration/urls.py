from django.urls import path

from pms_integration import api

urlpatterns = [
    path("postings/", api.PostingListView.as_view(), name="pms-postings"),
    path("postings/<int:posting_id>/retry/", api.RetryPostingView.as_view(), name="pms-posting-retry"),
    path("postings/<int:posting_id>/redirect/", api.RedirectPostingView.as_view(), name="pms-posting-redirect"),
    path("postings/<int:posting_id>/withdraw/", api.WithdrawPostingView.as_view(), name="pms-posting-withdraw"),
    path("postings/<int:posting_id>/confirm/", api.ConfirmPostingView.as_view(), name="pms-posting-confirm"),
    path("hotels/<int:hotel_id>/guests/", api.HotelGuestsView.as_view(), name="pms-hotel-guests"),
    path("stays/", api.CheckInView.as_view(), name="pms-check-in"),
    path("stays/<int:stay_id>/", api.StayView.as_view(), name="pms-stay"),
    path("stays/<int:stay_id>/check-out/", api.CheckOutView.as_view(), name="pms-check-out"),
]
