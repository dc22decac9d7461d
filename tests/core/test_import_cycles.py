"""The core has no run-time import cycles: no two modules need each other, no package init is imported back."""

import grimp
import pytest

from tests.bot.test_imports import cycles_through_package_inits


def mutual_imports(package: str) -> list[tuple[str, str]]:
    """Pairs of modules each of which reaches the other at run time (TYPE_CHECKING imports excluded)."""
    graph = grimp.build_graph(package, exclude_type_checking_imports=True)
    found = set()
    for module in sorted(graph.modules):
        for imported in graph.find_modules_directly_imported_by(module):
            if graph.chain_exists(importer=imported, imported=module):
                found.add(tuple(sorted((module, imported))))
    return sorted(found)


@pytest.mark.parametrize("package", ["core", "bot", "mcp_server"])
def test_no_two_modules_import_each_other(package):
    assert mutual_imports(package) == []


@pytest.mark.parametrize("package", ["core", "mcp_server"])
def test_no_package_init_is_imported_back(package):
    assert cycles_through_package_inits(package) == []
