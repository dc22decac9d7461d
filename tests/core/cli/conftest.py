import logging

import pytest


@pytest.fixture(autouse=True)
def restore_root_logger():
    """`main` configures logging for the process; put the root logger back after each test."""
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    yield
    for handler in [h for h in root.handlers if h not in handlers]:
        root.removeHandler(handler)
        handler.close()
    root.setLevel(level)
