"""performance rules: one module per rule."""
