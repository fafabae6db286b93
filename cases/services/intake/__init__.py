"""Intake: filing protests, PSCs and 1520(d) claims, and issuing CF-28/CF-29, one module per kind
(protest, psc, pic, requests; common.py holds what they share).

Each filing is checked against the statutory clock (cases.deadlines) and the intake rules, then
written whole in one transaction: case, details, entries, deadlines, timeline event and outbox
notices. A refused filing writes nothing and says which rule, which dates, which citation.
The public names are in cases/services/__init__.py.
"""
