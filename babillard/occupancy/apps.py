from django.apps import AppConfig


class OccupancyConfig(AppConfig):
    name = "babillard.occupancy"
    label = "occupancy"
