# Production image: gunicorn by default; docker-compose.yml runs the Celery worker and beat
# from the same image so all three always run the same code.

# --- Front-end assets ------------------------------------------------------------------------
# Same files as the Makefile's `assets` target, taken from the lockfile so the image never
# depends on whatever happens to sit in a developer's static/vendor/.
FROM node:20-slim AS assets
WORKDIR /assets
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund --loglevel=error \
    && mkdir -p static/vendor \
    && cp node_modules/htmx.org/dist/htmx.min.js static/vendor/htmx.min.js \
    && cp node_modules/@picocss/pico/css/pico.min.css static/vendor/pico.min.css

# --- Application -----------------------------------------------------------------------------
FROM python:3.12-slim AS app

# PYTHONPATH: the code lives only in /app (see the pip step), so every entry point -- gunicorn,
# the `celery` script, `docker compose exec web python ...` -- must find it there whatever its
# working directory. DJANGO_SETTINGS_MODULE: manage.py and config/celery.py default to the
# development settings (DEBUG on); an image must never fall back to those.
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PYTHONPATH=/app \
    DJANGO_SETTINGS_MODULE=config.settings.production

# DejaVu Sans gives the experience-log PDF every letter of applicants' names (reportlab's
# built-in Helvetica covers only Western European ones).
RUN apt-get update && apt-get install -y --no-install-recommends fonts-dejavu-core \
    && rm -rf /var/lib/apt/lists/*

RUN groupadd --system --gid 10001 app \
    && useradd --system --uid 10001 --gid app --no-create-home --home-dir /nonexistent app

WORKDIR /app

# pyproject.toml alone: `pip install .` then installs the pinned dependencies (no dev/test
# extras) in a layer that is rebuilt only when they change. With no package directories beside
# it the project itself installs as metadata only, so there is no second copy of the code in
# site-packages -- a copy there would put BASE_DIR (and with it templates/ and static/) inside
# site-packages for any process that imported it first.
COPY pyproject.toml /tmp/deps/pyproject.toml
RUN pip install /tmp/deps && rm -rf /tmp/deps

COPY . .
COPY --from=assets /assets/static/vendor/ static/vendor/

# The settings refuse to import without these. They are placeholders, set for this one command
# only (collectstatic opens no database or Redis connection), so no container inherits them.
RUN SECRET_KEY=collectstatic-build-only-not-a-secret \
    DATABASE_URL=postgres://build@127.0.0.1:5432/build \
    REDIS_URL=redis://127.0.0.1:6379/0 \
    python manage.py collectstatic --no-input

# Private uploads need a directory the unprivileged user can write; an empty named volume
# mounted here copies this ownership on first use.
RUN mkdir -p media-private && chown app:app media-private

USER app

EXPOSE 8000

CMD ["gunicorn", "config.wsgi:application", "--bind", "0.0.0.0:8000"]
