from django.urls import path

from printing import api

urlpatterns = [
    path("printers/", api.PrinterListView.as_view(), name="printing-printers"),
    path("printers/<int:printer_id>/test-print/", api.TestPrintView.as_view(), name="printing-test-print"),
    path("alarms/", api.AlarmListView.as_view(), name="printing-alarms"),
    path("jobs/unprinted/", api.UnprintedJobListView.as_view(), name="printing-unprinted-jobs"),
    path("jobs/<int:job_id>/reprint/", api.ReprintView.as_view(), name="printing-reprint"),
    path("jobs/<int:job_id>/retry/", api.RetryView.as_view(), name="printing-retry"),
]
