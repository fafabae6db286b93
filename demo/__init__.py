"""Demo and benchmark data (`manage.py seed_demo`): importers, entries, users and cases.

Its own app at the top, beside `web`: it seeds both `importers` and `cases`, and no domain module
imports it (tests/test_architecture.py).
"""
