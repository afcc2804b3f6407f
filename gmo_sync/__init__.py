"""gmo-sync: master sheet → protocols and calendar events for a ГМО of school librarians."""

__version__ = "0.1.0"
