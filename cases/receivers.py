"""How cases follow importer-side changes: receivers of importers/signals.py, connected in
CasesConfig.ready(). Both run inside the sender's transaction (see importers/signals.py for why)."""

from django.dispatch import receiver

from importers.signals import account_moved, liquidation_changed

from . import services
from .services.reassign import move_open_cases


@receiver(account_moved, dispatch_uid="cases.follow_account_move")
def follow_account_move(
    sender, *, importer, from_center_id, to_center_id, effective_on, actor, **kwargs
) -> int:
    """Open cases move with their account, in the move's transaction."""
    return move_open_cases(
        importer,
        from_center_id=from_center_id,
        to_center_id=to_center_id,
        effective_on=effective_on,
        actor=actor,
    )


@receiver(liquidation_changed, dispatch_uid="cases.recompute_deadlines")
def recompute_deadlines(sender, *, entry_ids, **kwargs) -> int:
    """Deadlines of open cases on entries whose liquidation changed, in the import chunk's transaction."""
    # Looked up on the package at call time, so a test may stand in for the service.
    return services.entries_liquidation_changed(entry_ids)
