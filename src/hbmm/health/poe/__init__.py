"""Points of entry: capacity assessments and operational status."""
