"""Domain types: plain data with no I/O."""
