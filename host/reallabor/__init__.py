"""reallabor: host tools for the reallabor sensor-node firmware."""

__version__ = "0.1.0"
