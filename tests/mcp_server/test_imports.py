"""The MCP server's package inits import their modules, and no module imports its package init back."""

from tests.bot.test_imports import cycles_through_package_inits


def test_no_module_imports_the_package_init_that_imports_it():
    assert cycles_through_package_inits("mcp_server") == []
