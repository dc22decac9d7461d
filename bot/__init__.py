"""The Slack app over the core (slack-bolt): /sqldraft, Block Kit messages, review buttons."""
