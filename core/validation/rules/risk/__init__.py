"""risk rules: one module per rule."""
