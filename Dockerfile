# syntax=docker/dockerfile:1
# Image de production de PLIE : la même pour web (gunicorn), worker et beat (Celery).
# Construite par `docker compose build` (voir docker-compose.yml et README « Déployer »).
FROM python:3.11-slim-bookworm

# PYTHONPATH: the code, its templates and static sources are read from /app (BASE_DIR), ahead of
# the copy that `pip install .` puts in site-packages (which has no templates).
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_ROOT_USER_ACTION=ignore \
    PYTHONPATH=/app \
    DJANGO_ENV=production \
    STATIC_ROOT=/app/staticfiles \
    MEDIA_ROOT=/data/media

# WeasyPrint (PDF) needs Pango and HarfBuzz at run time, and a font.
RUN apt-get update \
    && apt-get install --yes --no-install-recommends \
        libpango-1.0-0 \
        libpangoft2-1.0-0 \
        libharfbuzz-subset0 \
        fonts-dejavu-core \
    && rm -rf /var/lib/apt/lists/*

RUN groupadd --system --gid 1000 plie \
    && useradd --system --uid 1000 --gid plie --create-home --home-dir /home/plie \
        --shell /usr/sbin/nologin plie

WORKDIR /app
COPY . .

# The project and its dependencies at the versions of requirements.lock (no dev extras).
RUN --mount=type=cache,target=/root/.cache/pip \
    pip install -c requirements.lock . \
    && rm -rf build ./*.egg-info

# Static files are collected once, at build time. The settings refuse to load in production
# without these variables: build-time placeholders only, never present in the image's environment.
RUN SECRET_KEY=collectstatic-au-build-seulement-cette-cle-ne-sert-jamais-a-rien \
    ALLOWED_HOSTS=build.invalid \
    DATABASE_URL=sqlite:////tmp/build.sqlite3 \
    REDIS_URL=redis://build.invalid:6379/0 \
    python manage.py collectstatic --noinput \
    && chmod 755 deploy/entrypoint.sh \
    && mkdir -p /data/media /data/beat \
    && chown plie:plie /data/media /data/beat

# The named volumes of docker-compose.yml mounted on /data/media and /data/beat start with this
# ownership, so uploads and the beat schedule are writable by the non-root user.
USER plie

EXPOSE 8000

ENTRYPOINT ["/app/deploy/entrypoint.sh"]
CMD ["gunicorn", "--config", "deploy/gunicorn.conf.py", "plie.wsgi:application"]
