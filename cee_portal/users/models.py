"""Users: CBP staff (who belong to a Center) and the importer side (importer users and brokers)."""

from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.db.models.functions import Lower


class BrokerFirm(models.Model):
    """A licensed customs brokerage; importers delegate to the firm, its users act for them."""

    name = models.CharField(max_length=200)
    filer_code = models.CharField(max_length=3, unique=True, help_text="3-character entry filer code")

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return f"{self.name} ({self.filer_code})"


class CaseInsensitiveUserManager(UserManager):
    """User names are one account whatever their case: "Alice" signs in as "alice"."""

    use_in_migrations = True

    def get_by_natural_key(self, username):
        # createsuperuser and the login form look users up here: both see "Alice" as "alice".
        return self.get(username__iexact=username)

    def create_superuser(self, username, email=None, password=None, **extra_fields):
        # A superuser is an administrator: with the default role ("importer") it would be a trade
        # user with every permission, shown and scoped as an importer.
        extra_fields.setdefault("role", User.Role.ADMIN)
        return super().create_superuser(username, email, password, **extra_fields)


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

    objects = CaseInsensitiveUserManager()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                Lower("username"),
                name="user_username_unique_any_case",
                violation_error_message="A user with that user name (in any case) already exists.",
            ),
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


class SignInEvent(models.Model):
    """One sign-in, failed sign-in, lockout or sign-out: the account-security audit trail.

    Kept beside the users, not in operations (which holds the machinery's own state), and separate
    from django-axes' tables, which count failures for the lockout and are cleared on success.
    """

    class Kind(models.TextChoices):
        SIGNED_IN = "signed_in", "Signed in"
        FAILED = "failed", "Failed sign-in"
        LOCKED_OUT = "locked_out", "Locked out"
        SIGNED_OUT = "signed_out", "Signed out"

    kind = models.CharField(max_length=12, choices=Kind.choices)
    at = models.DateTimeField(auto_now_add=True, db_index=True)
    user = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    # As typed: a failed sign-in may name no account at all.
    username = models.CharField(max_length=150, blank=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = "sign-in event"
        indexes = [models.Index(fields=["username", "at"], name="signin_event_username_at")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.username or '(no username)'} at {self.at:%Y-%m-%d %H:%M}"


class ApiToken(models.Model):
    """A REST API token: shown once, stored as its SHA-256, with an expiry and a revocation date.

    A token acts as its user, narrowed by its scope: an importer user's or broker's token names one
    importer account and sees and files for that account only; a CBP staff member's token names no
    account and acts as the staff member. DRF's authtoken cannot carry expiry, revocation or scope
    (and keeps the key in clear), hence this model.
    """

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    importer = models.ForeignKey(
        "importers.Importer",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        help_text="The one account an importer user's or broker's token acts for; none for CBP staff",
    )
    # The first characters of the key, to name a token in lists and revocations without the secret.
    prefix = models.CharField(max_length=8, db_index=True)
    key_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = "API token"

    def __str__(self) -> str:
        return f"{self.prefix}… of {self.user.get_username()}"
