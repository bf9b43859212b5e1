#!/usr/bin/env python
import os
import sys


def main():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "plie.settings")
    import django
    from django.core.management import execute_from_command_line

    from plie import startup

    # An unreachable PostgreSQL or Redis: one French line naming the variable and the host.
    if startup.needs_services(sys.argv):
        django.setup()
        problem = startup.services_problem()
        if problem:
            sys.exit(problem)
    try:
        execute_from_command_line(sys.argv)
    except Exception as error:
        problem = startup.connection_problem(error)
        if problem is None:
            raise
        sys.exit(problem)


if __name__ == "__main__":
    main()
