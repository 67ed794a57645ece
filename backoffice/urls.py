from django.urls import path

from backoffice import menu_api, menu_views, views

app_name = "manager"

urlpatterns = [
    path("", views.home, name="home"),
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
]
