"""Healthchecks of the containers (docker-compose.yml), without loading Django.

``python deploy/healthcheck.py web``
    GET ``/sante/`` on the local gunicorn, as the reverse proxy would send it: with a host of
    ``ALLOWED_HOSTS`` and ``X-Forwarded-Proto: https`` (otherwise production settings answer
    400 or redirect to HTTPS). ``/sante/`` answers 200 only if the database answers.
``python deploy/healthcheck.py beat``
    The broker (``REDIS_URL``) answers PING (beat itself is the container's main process).

Exit status 0 when healthy, 1 otherwise (with one line on stderr).
"""

import os
import sys
import urllib.request


def health_request(environ=os.environ):
    port = environ.get("PORT", "").strip() or "8000"
    hosts = [host.strip() for host in environ.get("ALLOWED_HOSTS", "").split(",") if host.strip()]
    # ".example.org" allows example.org and its subdomains; "*" allows anything.
    host = next((host.lstrip(".") for host in hosts if host != "*"), "localhost")
    return urllib.request.Request(
        f"http://127.0.0.1:{port}/sante/",
        headers={"Host": host, "X-Forwarded-Proto": "https"},
    )


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None  # a redirect is a failure here, not something to follow


def check_web(environ=os.environ, timeout=5):
    opener = urllib.request.build_opener(_NoRedirect)
    with opener.open(health_request(environ), timeout=timeout) as response:
        if response.status != 200:
            raise RuntimeError(f"/sante/ a répondu {response.status}")


def check_beat(environ=os.environ, timeout=5):
    import redis  # a dependency of celery[redis], present in the image

    client = redis.Redis.from_url(environ.get("REDIS_URL", ""), socket_timeout=timeout)
    try:
        client.ping()
    finally:
        client.close()


CHECKS = {"web": check_web, "beat": check_beat}


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    if len(argv) != 1 or argv[0] not in CHECKS:
        print(f"usage : healthcheck.py {'|'.join(CHECKS)}", file=sys.stderr)
        return 2
    try:
        CHECKS[argv[0]]()
    except Exception as error:
        print(f"{argv[0]} en mauvaise santé : {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
