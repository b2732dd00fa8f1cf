# The ledger's image: the CLI with the PostgreSQL and Kafka extras (used by docker-compose.yml
# for the relay; any other subcommand runs with `docker compose run --rm relay enrollment-ledger ...`).
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

WORKDIR /app
COPY pyproject.toml README.md ./
COPY src ./src
RUN pip install ".[postgres,kafka]" \
    && useradd --system --uid 10001 --home-dir /app ledger \
    && chown ledger /app

USER ledger
# Exec form: the CLI is PID 1 and receives SIGTERM itself (the relay stops cleanly on it).
CMD ["enrollment-ledger", "--help"]
