from django.urls import path

from backoffice import (
    allergen_views,
    audit_views,
    floor_api,
    floor_views,
    menu_api,
    menu_views,
    pricing_views,
    report_views,
    staff_views,
    timesheet_views,
    views,
)

app_name = "manager"

urlpatterns = [
    path("", views.home, name="home"),
    # People: staff, timesheets, audit log.
    path("staff/", staff_views.staff_list, name="staff"),
    path("staff/new/", staff_views.add_person, name="add-person"),
    path("staff/<int:person_id>/", staff_views.person_page, name="person"),
    path("staff/<int:person_id>/pin/", staff_views.reset_pin, name="reset-pin"),
    path("staff/<int:person_id>/clear-pin-wait/", staff_views.clear_pin_wait, name="clear-pin-wait"),
    path("staff/<int:person_id>/active/", staff_views.set_active, name="set-active"),
    path("timesheets/", timesheet_views.timesheets, name="timesheets"),
    path("timesheets/week.csv", timesheet_views.timesheet_csv, name="timesheet-csv"),
    path("timesheets/shifts/new/", timesheet_views.add_shift, name="add-shift"),
    path("timesheets/shifts/<int:shift_id>/", timesheet_views.correct_shift, name="correct-shift"),
    path("audit/", audit_views.audit_log, name="audit"),
    # Prices, and the menu in and out (pricing_views)
    path("prices/", pricing_views.prices, name="prices"),
    path("prices/lists/<int:price_list_id>/cancel/", pricing_views.cancel_price_list, name="cancel-price-list"),
    path("prices/happy-hours/<int:happy_hour_id>/remove/", pricing_views.remove_happy_hour, name="remove-happy-hour"),
    path("menu-transfer/", pricing_views.menu_transfer, name="menu-transfer"),
    path("menu-transfer/export/<int:outlet_id>/", pricing_views.export_menu, name="export-menu"),
    path("menu/allergens/", allergen_views.allergen_matrix, name="allergens"),
    path("menu/allergens/card/", allergen_views.allergen_card, name="allergen-card"),
    # The menu editor: its page and its JSON API.
    path("menu/", menu_views.menu_editor_page, name="menu"),
    path("api/menu/outlets/<int:outlet_id>/", menu_api.EditorView.as_view(), name="menu-editor"),
    path("api/menu/outlets/<int:outlet_id>/menus/", menu_api.MenusView.as_view(), name="menu-menus"),
    path("api/menu/menus/<int:menu_id>/", menu_api.MenuView.as_view(), name="menu-menu"),
    path("api/menu/menus/<int:menu_id>/categories/", menu_api.CategoriesView.as_view(), name="menu-categories"),
    path("api/menu/menus/<int:menu_id>/order/", menu_api.CategoryOrderView.as_view(), name="menu-category-order"),
    path("api/menu/categories/<int:category_id>/", menu_api.CategoryView.as_view(), name="menu-category"),
    path("api/menu/categories/<int:category_id>/items/", menu_api.ItemsView.as_view(), name="menu-items"),
    path("api/menu/categories/<int:category_id>/order/", menu_api.ItemOrderView.as_view(), name="menu-item-order"),
    path("api/menu/items/<int:item_id>/", menu_api.ItemView.as_view(), name="menu-item"),
    path("api/menu/modifier-groups/", menu_api.ModifierGroupsView.as_view(), name="menu-groups"),
    path("api/menu/modifier-groups/<int:group_id>/", menu_api.ModifierGroupView.as_view(), name="menu-group"),
    # the floor-plan editor
    path("floor/", floor_views.floor_editor, name="floor"),
    path("floor/api/<int:outlet_id>/", floor_api.FloorPlanView.as_view(), name="floor-plan"),
    # Reports
    path("reports/", report_views.reports_index, name="reports"),
    path("reports/<slug:key>/", report_views.report_page, name="report"),
    path("reports/<slug:key>/csv/", report_views.report_csv, name="report-csv"),
]
