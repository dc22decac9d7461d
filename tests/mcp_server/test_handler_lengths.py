"""Every MCP tool stays short (parse, one core call, render), as tools/handler_lengths.py measures it."""

import textwrap

from tests.bot.test_handler_lengths import LIMIT, ROOT, lengths
from tests.mcp_server.test_tools import TOOLS


def test_every_mcp_tool_is_found_and_at_most_fifteen_lines():
    measured = [h for h in lengths().measure(lengths().read_sources(ROOT, None)) if h.kind == "mcp tool"]
    assert {h.where.rsplit(":", 1)[1] for h in measured} == TOOLS
    assert [(h.where, h.body) for h in measured if h.body > LIMIT] == []


def test_a_long_tool_is_measured_as_long():
    body = "\n".join(f"    x{i} = {i}" for i in range(LIMIT + 1))
    source = (
        textwrap.dedent(
            '''
        def register(server):
            @server.tool(annotations=None)
            def long_tool(ctx):
                """Described for the model."""
        '''
        )
        + textwrap.indent(body, "    ")
        + "\n"
    )
    (tool,) = lengths().measure({"mcp_server/tools/sample.py": source})
    assert tool.kind == "mcp tool" and tool.body == LIMIT + 1
