"""people layer."""
