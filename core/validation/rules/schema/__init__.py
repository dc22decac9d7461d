"""schema rules: one module per rule."""
