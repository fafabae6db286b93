"""The seam through which apps above `importers` follow importer-side changes (issue 10 item 3).

`importers` never imports `cases`: it announces what changed and `cases` subscribes in
`CasesConfig.ready()`. Both announcements are synchronous and sent inside the transaction that made
the change, so a receiver's writes commit or roll back with it: a crash between the change and the
receiver loses nothing, because there is no "between". `send` (not `send_robust`) lets a receiver's
error roll the whole change back instead of leaving it half-followed.

Why not an outbox topic: the account move's atomicity is part of its contract (the move and its open
cases move together, tested in tests/importers/test_account_moves.py), which an asynchronous
delivery cannot keep; and the liquidation hook must recompute deadlines before the import returns,
as the feed has always done, so the import's summary and the case pages agree at once. One kind of
seam for both.
"""

from django.dispatch import Signal

# Sent by importers.accounts.reassignment.move_account after the account's Center changed, in the
# move's transaction. Keyword arguments: importer, from_center_id, to_center_id, effective_on, actor.
account_moved = Signal()

# Sent by the entry ingest inside each chunk's transaction, with entry_ids: the entries whose
# liquidation facts (status, dates) changed. Receivers return how many dependants they updated.
liquidation_changed = Signal()
