from tests.orders.test_floor_socket import cookies  # noqa: F401 - a fixture the floor tests here share
