"""Pages, one folder per area: controller (HTTP) and what the area needs to call the APIs."""
