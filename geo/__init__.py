"""geo: read conflict news, find the places it names, geocode them offline, map flight paths."""

__version__ = "0.1.0"
