"""HBMM: health, border and mobility management information system."""

__version__ = "0.1.0"
