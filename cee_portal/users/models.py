"""Users: CBP staff (who belong to a Center) and the importer side (importer users and brokers)."""

from django.contrib.auth.models import AbstractUser
from django.db import models


class BrokerFirm(models.Model):
    """A licensed customs brokerage; importers delegate to the firm, its users act for them."""

    name = models.CharField(max_length=200)
    filer_code = models.CharField(max_length=3, unique=True, help_text="3-character entry filer code")

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return f"{self.name} ({self.filer_code})"


class User(AbstractUser):
    class Role(models.TextChoices):
        IMPORTER = "importer", "Importer user"
        BROKER = "broker", "Customs broker"
        ACCOUNT_MANAGER = "account_manager", "Account manager"
        SPECIALIST = "specialist", "Import/entry specialist"
        SUPERVISOR = "supervisor", "Supervisor"
        ADMIN = "admin", "Administrator"

    STAFF_ROLES = frozenset({Role.ACCOUNT_MANAGER, Role.SPECIALIST, Role.SUPERVISOR, Role.ADMIN})
    TRADE_ROLES = frozenset({Role.IMPORTER, Role.BROKER})

    role = models.CharField(max_length=20, choices=Role.choices, default=Role.IMPORTER, db_index=True)
    # The Center a CBP staff member works for; national supervisors and administrators have none.
    center = models.ForeignKey(
        "importers.Center", null=True, blank=True, on_delete=models.PROTECT, related_name="staff"
    )
    broker_firm = models.ForeignKey(
        BrokerFirm, null=True, blank=True, on_delete=models.PROTECT, related_name="users"
    )

    class Meta:
        constraints = [
            models.CheckConstraint(
                name="user_broker_firm_only_for_brokers",
                condition=models.Q(broker_firm__isnull=True) | models.Q(role="broker"),
            ),
            models.CheckConstraint(
                name="user_center_only_for_staff",
                condition=models.Q(center__isnull=True)
                | models.Q(role__in=["account_manager", "specialist", "supervisor", "admin"]),
            ),
        ]

    @property
    def is_cbp_staff(self) -> bool:
        return self.role in self.STAFF_ROLES

    @property
    def is_trade_user(self) -> bool:
        return self.role in self.TRADE_ROLES
