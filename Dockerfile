# syntax=docker/dockerfile:1.7
# One image for every SafeCampus component. The entry point takes the component as its first argument:
#   docker run IMAGE schools | hazards | personnel | evaluation | portal | worker | scheduler | migrate
# (infra/docker/entrypoint lists them all). Built and smoke-tested in CI, where a Docker engine exists.

# An exact release of the base image. Release builds pass the digest as well:
#   --build-arg PYTHON_IMAGE=python:3.11.14-slim-bookworm@sha256:<digest>
ARG PYTHON_IMAGE=python:3.11.14-slim-bookworm

# --- builder: the virtualenv, from the hash-checked lock ----------------------------------------------
FROM ${PYTHON_IMAGE} AS builder

ENV UV_COMPILE_BYTECODE=1 \
    UV_LINK_MODE=copy \
    UV_PYTHON_DOWNLOADS=never \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_NO_CACHE_DIR=1

RUN pip install --no-cache-dir uv==0.13.9

WORKDIR /app
# Dependencies first: this layer is reused until the lock changes.
COPY requirements.txt requirements.in ./
RUN uv venv /opt/venv --python /usr/local/bin/python3 \
    && uv pip install --python /opt/venv/bin/python --require-hashes --no-cache -r requirements.txt

COPY . .
# The project is installed editable from /app, which the final stage copies to the same path (the
# package-dir mapping in pyproject.toml is what a development checkout uses too). Then the development
# tools and what only they need are removed, and every entry module must still import.
RUN uv pip install --python /opt/venv/bin/python --no-deps --no-cache -e . \
    && /opt/venv/bin/python infra/docker/runtime_packages.py requirements.in infra/docker/dev-packages.txt \
        > /tmp/dev-only.txt \
    && if [ -s /tmp/dev-only.txt ]; then \
        xargs uv pip uninstall --python /opt/venv/bin/python < /tmp/dev-only.txt; \
    fi \
    && /opt/venv/bin/python -c "import safecampus.cli, safecampus.migrate, schools.app, devidp.app, kit.tracing" \
    && /opt/venv/bin/python -m compileall -q /app/services /app/tenants /app/infra

# --- runtime: no compilers, no package managers' caches, not root --------------------------------------
FROM ${PYTHON_IMAGE} AS runtime

# Pango and CJK fonts for the PDF reports (WeasyPrint); nothing that builds software. The exact base
# release fixes the Debian point release; pinning each package would break on every security update.
# hadolint ignore=DL3008
RUN apt-get update \
    && apt-get install -y --no-install-recommends \
        libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-noto-cjk \
    && rm -rf /var/lib/apt/lists/* \
    && groupadd --system --gid 10001 safecampus \
    && useradd --system --uid 10001 --gid 10001 --no-create-home --home-dir /nonexistent \
        --shell /usr/sbin/nologin safecampus \
    && install -d -o 10001 -g 10001 /var/lib/safecampus/files

COPY --from=builder /opt/venv /opt/venv
COPY --from=builder /app /app

ENV PATH=/opt/venv/bin:$PATH \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    SAFECAMPUS_ENV=production \
    LOG_FORMAT=json \
    HOST=0.0.0.0 \
    PORT=8000 \
    IDP_REALM_FILE=/app/infra/keycloak/realm-safecampus.json

WORKDIR /app
# Numeric, so that Kubernetes' runAsNonRoot can verify it.
USER 10001:10001
EXPOSE 8000

ENTRYPOINT ["/app/infra/docker/entrypoint"]
CMD ["help"]
