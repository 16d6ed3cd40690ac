# syntax=docker/dockerfile:1
# The Robustness Tour: Debian's nginx in front of uvicorn (server/supervisor.py), with the committed bundle:
#   docker build -t robustness-tour . && docker run -p 8000:8000 robustness-tour
# Nothing writes to the image at run time; nginx keeps its pid and temp files in /tmp, so
# `docker run --read-only --tmpfs /tmp -p 8000:8000 robustness-tour` works as well.
# tests/deploy/test_docker.py replays these steps in a fresh venv; keep RUN steps one command each.

ARG PYTHON_IMAGE=python:3.11-slim-bookworm

FROM ${PYTHON_IMAGE} AS build
ENV PIP_DISABLE_PIP_VERSION_CHECK=1
RUN python -m venv /opt/venv
ENV PATH=/opt/venv/bin:$PATH
# torch from PyTorch's CPU index: the PyPI wheel would add about 3 GB of CUDA libraries.
RUN pip install --no-cache-dir --index-url https://download.pytorch.org/whl/cpu torch==2.13.0
WORKDIR /src
COPY pyproject.toml README.md ./
COPY tour/ tour/
COPY server/ server/
# The project and its runtime dependencies; torch is already satisfied.
RUN pip install --no-cache-dir .
# What the server reads: readable by its unprivileged user whatever the context's modes, writable by no one.
COPY article/ /app/article/
COPY static/ /app/static/
COPY data/bundle/ /app/data/bundle/
COPY deploy/ /app/deploy/
RUN chmod -R a+rX,go-w /app

FROM ${PYTHON_IMAGE}
ENV PATH=/opt/venv/bin:$PATH PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 TOUR_ROOT=/app
# nginx from Debian, started by the supervisor with deploy/nginx.conf; the package's own service never runs.
# Not pinned: bookworm-security keeps only its latest build, and a pin would fail the build at its first fix.
# hadolint ignore=DL3008
RUN apt-get update && apt-get install -y --no-install-recommends nginx && rm -rf /var/lib/apt/lists/*
RUN useradd --system --uid 10001 --no-create-home --shell /usr/sbin/nologin tour
COPY --from=build /opt/venv /opt/venv
COPY --from=build /app /app
WORKDIR /app
USER 10001
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
    CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=4)"]
CMD ["python", "-m", "server.supervisor", "--host", "0.0.0.0", "--port", "8000"]
