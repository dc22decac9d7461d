"""The Slack app's package inits import their modules, and no module imports its package init back."""

import grimp


def cycles_through_package_inits(package: str) -> list[str]:
    """Each ``package -> child -> ... -> package`` chain, for every package under ``package``."""
    graph = grimp.build_graph(package)
    found = []
    for parent in sorted(graph.modules):
        children = graph.find_descendants(parent)
        for child in sorted(graph.find_modules_directly_imported_by(parent) & children):
            chain = graph.find_shortest_chain(importer=child, imported=parent)
            if chain:
                found.append(f"{parent} -> " + " -> ".join(chain))
    return found


def test_no_module_imports_the_package_init_that_imports_it():
    assert cycles_through_package_inits("bot") == []
