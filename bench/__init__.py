"""``python -m bench`` (``make bench``): timings of the pages and jobs that grow with the data.

A dedicated PostgreSQL database holds the ``seed_demo`` dataset, built once per parameters and
migration state (:mod:`bench.dataset`); every ``bench/benchmarks_*.py`` module registers its
benchmarks with :func:`bench.registry.benchmark`; :mod:`bench.runner` times them. A benchmark is
never a test: ``tests/test_bench.py`` only checks that the harness itself is right.

Nothing here imports Django at import time: ``__main__`` points Django at the bench database
before ``django.setup()``.
"""
