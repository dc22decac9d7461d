# sqldraft: one image for the Slack bot, the MCP server and the refresh scheduler (see docs/deploy.md).
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    HOME=/home/sqldraft \
    SQLDRAFT_DATA_DIR=/var/lib/sqldraft \
    SQLDRAFT_HEALTH_PORT=3000

RUN groupadd --system --gid 10001 sqldraft \
 && useradd --system --uid 10001 --gid sqldraft --home-dir /home/sqldraft --create-home sqldraft \
 && install -d -o sqldraft -g sqldraft -m 0700 /var/lib/sqldraft

WORKDIR /src
COPY pyproject.toml README.md ./
COPY core ./core
COPY bot ./bot
COPY mcp_server ./mcp_server
RUN pip install . && rm -rf /src

USER sqldraft
WORKDIR /home/sqldraft
VOLUME ["/var/lib/sqldraft"]
EXPOSE 3000 8765

# slim has no curl: ask /healthz with the standard library (the port is the service's, see compose.yaml)
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
  CMD ["python", "-c", "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:%s/healthz' % os.environ.get('SQLDRAFT_HEALTH_PORT', '3000'), timeout=4)"]

# the Slack app over HTTP; compose.yaml runs sqldraft-mcp and `sqldraft scheduler` from the same image
CMD ["sqldraft-bot", "--http", "--host", "0.0.0.0", "--port", "3000", "--no-scheduler"]
