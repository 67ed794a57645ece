"""The manager's pages of the back office."""

from django.shortcuts import render

from backoffice.navigation import sections
from staff.page_access import manager_page


@manager_page
def home(request):
    """The manager's home: every manager page, by section."""
    return render(request, "manager/home.html", {"sections": sections()})
