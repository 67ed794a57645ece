app_name = "kitchen"

urlpatterns = []
