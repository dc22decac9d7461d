"""syntax rules: one module per rule."""
