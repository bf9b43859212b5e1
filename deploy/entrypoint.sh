#!/bin/sh
# Entrypoint of the PLIE image.
#
# With DJANGO_MIGRATE=1 (set on the `web` service of docker-compose.yml) the database schema is
# migrated before the command starts, so an upgrade is « build, up -d ». The worker and beat
# containers wait for `web` to be healthy, hence for the migrations, before they start.
# Then the command (gunicorn, celery worker, celery beat, manage.py …) replaces this shell.
set -eu

if [ "${DJANGO_MIGRATE:-0}" = "1" ]; then
    python manage.py migrate --noinput
fi

exec "$@"
