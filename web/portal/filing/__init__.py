"""Filing in the portal (issue 13 item 3): protests, PSCs, 1520(d) claims and actions on filed cases.

A filing is a legal act: accepted whole (one service call in one transaction, once per form token)
or refused with each reason beside its field, nothing written.
"""
