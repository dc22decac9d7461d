"""Drafting: schema retrieval, prompts, generators (LLM and offline), reply parsing, the repair loop."""
