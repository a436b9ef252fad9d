# stardrive API image. Build: `docker build -t stardrive .`; run alone (SQLite inside the container):
#   docker run --rm -p 127.0.0.1:8000:8000 stardrive
# The server listens on all of the container's interfaces without accounts, so publish it on the host's
# loopback only (as above and in docker-compose.yml). To serve other machines, run with accounts instead:
#   docker run -e STARDRIVE_AUTH=tokens ... stardrive stardrive serve --host 0.0.0.0 --port 8000
# or with PostgreSQL and a local model server: `docker compose up` (see docker-compose.yml).
FROM python:3.11-slim

# LITELLM_LOCAL_MODEL_COST_MAP: litellm would otherwise fetch its model cost map from the internet on import.
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    LITELLM_LOCAL_MODEL_COST_MAP=True

# Extra packages to install next to stardrive (litellm is already a dependency).
ARG PIP_EXTRA=

WORKDIR /src
COPY pyproject.toml README.md ./
COPY service ./service
# `pip install .` builds a wheel holding only the .py files (pyproject.toml declares no package data), so
# the web page, the debrief template and the migration template are copied into the installed package
# by hand. Harmless once pyproject.toml declares them. `python -I` keeps /src off sys.path.
RUN pip install --no-cache-dir . ${PIP_EXTRA} \
 && site="$(cd / && python -I -c 'import pathlib, service; print(pathlib.Path(service.__file__).parent)')" \
 && (cd service && find . -type f ! -name '*.py' ! -name '*.pyc' -exec cp --parents {} "$site/" \;) \
 && rm -rf /src

# prompts/ lives outside the package; Settings.prompts_dir would otherwise point into site-packages.
COPY prompts /app/prompts
RUN useradd --create-home --uid 10001 --shell /usr/sbin/nologin stardrive \
 && mkdir -p /app/data \
 && chown stardrive:stardrive /app/data

ENV STARDRIVE_PROMPTS_DIR=/app/prompts \
    STARDRIVE_DATABASE_URL=sqlite+aiosqlite:////app/data/stardrive.db

WORKDIR /app
USER stardrive
EXPOSE 8000

CMD ["stardrive", "serve", "--host", "0.0.0.0", "--port", "8000", "--insecure-no-auth"]
