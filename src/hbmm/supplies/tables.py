"""The supplies records as tables."""
