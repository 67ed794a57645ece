"""The manager's back office at /manager/: the dashboard, the menu, the floor, staff and reports.

It sits at the top beside the waiter's screens: it reads and changes every lower app, through
their services and selectors, and nothing imports it.
"""
