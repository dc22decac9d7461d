"""The MCP server over the core (official mcp SDK): tools and resources for AI coding assistants."""
