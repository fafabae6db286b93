"""Demo data: importers, entries and lines that look like CBP's trade, reproducible for a seed.

One code path generates the rows; two writers load them: COPY on PostgreSQL (millions of lines in
minutes), bulk_create elsewhere. The rows carry ids taken from a reserved range, so entries can
point at importers and lines at entries without reading anything back.
"""

import random
import sys
import time
from array import array
from bisect import bisect
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from itertools import accumulate
from math import log

from django.db import connection, transaction
from django.db.models import Max
from django.utils import timezone

from cee_portal.legal_time import legal_today
from cee_portal.users.models import BrokerFirm, User
from importers.accounts.mix import refresh_monthly_mix
from importers.identifiers import entry_check_digit
from importers.models import (
    DELEGABLE_KINDS,
    BrokerDelegation,
    Center,
    Entry,
    EntryLine,
    Importer,
    ImporterMembership,
    LiquidationStatus,
    Port,
)
from importers.reference.resolver import heading_center_ids
from importers.services import assign_initial_centers, create_user, grant_delegation

from .cases import seed_cases

# Every demo importer's name ends with this, which is how a second run knows the data is there.
DEMO_MARKER = " (demo)"

# username, role, Center; each password is demo-<username>-pass.
DEMO_USERS = (
    ("admin", "admin", None),
    ("supervisor", "supervisor", "CEE010"),
    ("manager", "account_manager", "CEE010"),
    ("specialist", "specialist", "CEE010"),
    ("importer", "importer", None),
    ("broker", "broker", None),
)

# Relative share of entry lines by HTS chapter, shaped like U.S. imports; other chapters weigh 0.4.
CHAPTER_WEIGHTS = {
    "84": 14, "85": 13, "87": 9, "39": 6, "94": 5, "61": 4, "62": 4, "30": 4, "27": 3.5,
    "90": 3, "73": 2.5, "95": 2.5, "40": 2, "64": 2, "29": 2, "42": 1.5, "44": 1.5, "63": 1.5,
    "72": 1.5, "83": 1.5, "96": 1.2, "33": 1.2, "38": 1.2, "48": 1.2, "03": 1, "08": 1, "22": 1,
    "69": 1, "70": 1, "71": 1, "76": 1, "82": 1, "88": 1, "98": 0.3, "99": 0.3,
}  # fmt: skip
OTHER_CHAPTER_WEIGHT = 0.4
# Last heading of each chapter (HS 2022), so demo HTS numbers fall in real headings; 77 is reserved.
LAST_HEADING = dict(
    zip(
        [f"{c:02d}" for c in range(1, 100) if c != 77],
        [6, 10, 9, 10, 11, 4, 14, 14, 10, 8, 9, 14, 2, 4, 22, 5, 4, 6, 5, 9, 6, 9, 9, 4, 30, 21, 16, 53,
         42, 6, 5, 15, 7, 7, 7, 6, 7, 27, 26, 17, 15, 6, 4, 21, 4, 2, 7, 23, 11, 7, 13, 12, 11, 8, 16, 9,
         5, 11, 11, 6, 17, 17, 10, 6, 7, 3, 4, 15, 14, 20, 18, 29, 26, 19, 8, 16, 6, 7, 7, 13, 15, 11,
         87, 49, 9, 16, 7, 8, 33, 14, 9, 7, 6, 8, 20, 6, 17, 3],
        strict=True,
    )
)  # fmt: skip
# Headings that dominate their chapter in real trade (computers, phones, cars, parts, medicines, crude).
HEADING_BOOST = {"8471": 8, "8517": 8, "8703": 10, "8708": 6, "3004": 8, "2709": 8, "9403": 4, "8528": 4}
# The busiest ports of entry get more entries; the rest share the remainder.
PORT_BOOST = {"2704": 40, "2709": 40, "4601": 35, "2304": 35, "3801": 25, "5301": 20, "4701": 20,
              "1703": 15, "3901": 15, "5201": 10, "3002": 10, "1401": 10, "2402": 10, "0901": 8}  # fmt: skip
ENTRY_TYPES = ("01", "11", "06", "03", "02")  # consumption, informal, FTZ, AD/CVD, quota
ENTRY_TYPE_CUM_WEIGHTS = tuple(accumulate((88, 4, 4, 3, 1)))
FILER_CODES = ("B7K", "EZ3", "C2L", "M4A", "9QX", "T81", "UPS", "F5D", "J6H", "K3R", "A9T", "X2W")
DUTY_RATES_BP = (0, 0, 0, 0, 250, 390, 500, 650, 1000, 2500)  # basis points of entered value
DAYS_TO_LIQUIDATION = 314
EXTENDED_SHARE = 0.041  # of entries not of type 03: ~4% of all
SUSPENDED_SHARE_OF_ADCVD = 0.67  # of type 03 (AD/CVD) entries: ~2% of all
UNDER_REVIEW_SHARE = 0.02  # of unliquidated entries: ~1% of all
IMPORTER_REQUESTED_SHARE = 0.35  # of extensions
DRIFT_EVERY = 100  # one importer in a hundred changes its mix between the two years

_NAME_FIRST = (
    "Atlantic|Blue Ridge|Cedar|Keystone|Summit|Harbor|Pioneer|Lakeshore|Redwood|Granite|Prairie|Meridian|"
    "Northstar|Coastal|Evergreen|Liberty|Silverline|Frontier|Bayview|Ironwood|Sunbelt|Tidewater|Canyon"
).split("|")
_NAME_TRADE = {
    "CEE001": ("Pharma", "Chemicals", "Health"), "CEE002": ("Foods", "Produce", "Farms"),
    "CEE003": ("Auto Parts", "Motors", "Aero"), "CEE004": ("Apparel", "Textiles", "Footwear"),
    "CEE005": ("Steel", "Metals", "Alloys"), "CEE006": ("Energy", "Petroleum", "Minerals"),
    "CEE007": ("Electronics", "Devices", "Digital"), "CEE008": ("Home Goods", "Toys", "Brands"),
    "CEE009": ("Plastics", "Lumber", "Materials"), "CEE010": ("Machinery", "Equipment", "Tools"),
}  # fmt: skip
_NAME_FORM = ("Inc.", "LLC", "Corp.", "Co.", "Trading LLC", "Imports Inc.", "Group Inc.")
_CITIES = (("Laredo", "TX", "78040"), ("Long Beach", "CA", "90802"), ("Newark", "NJ", "07102"),
           ("Detroit", "MI", "48226"), ("Savannah", "GA", "31401"), ("Houston", "TX", "77002"),
           ("Chicago", "IL", "60606"), ("Miami", "FL", "33131"), ("Seattle", "WA", "98104"))  # fmt: skip

IMPORTER_FIELDS = tuple(
    "id ior_number ior_kind name address needs_account_manager pin_reason pin_note created_at".split()
)
ENTRY_FIELDS = tuple(
    "id entry_number filer_code importer_id port_id entry_type entry_date importation_date "
    "scheduled_liquidation_date liquidation_date liquidation_status extension_requested_by_importer "
    "summary_under_review created_at updated_at".split()
)
LINE_FIELDS = ("id", "entry_id", "line_number", "hts_number", "entered_value", "duty", "center_id")


@dataclass
class SeedResult:
    created: bool
    counts: dict[str, int] = field(default_factory=dict)
    timings: list[tuple[str, float]] = field(default_factory=list)
    logins: list[tuple[str, str, str]] = field(default_factory=list)  # username, role, password


def demo_password(username: str) -> str:
    return f"demo-{username}-pass"


def demo_data_present() -> bool:
    """Whether a previous run left demo importers in the database."""
    return Importer.objects.filter(name__endswith=DEMO_MARKER).exists()


def ensure_demo_users() -> list[tuple[str, str, str]]:
    """Create or refresh the demo logins; return (username, role, password) for each."""
    first = Importer.objects.filter(name__endswith=DEMO_MARKER).order_by("pk").first()
    logins = []
    for username, role, center in DEMO_USERS:
        if role == "importer" and first is None:
            continue
        create_user(
            username,
            password=demo_password(username),
            role=role,
            center_ace_id=center,
            importer_iors=[first.ior_number] if role == "importer" else (),
            update=True,  # a rerun refreshes the demo logins
        )
        logins.append((username, role, demo_password(username)))
    if first is not None:
        _ensure_demo_delegation(first)
    return logins


def _ensure_demo_delegation(importer: Importer) -> None:
    """The demo broker's firm acts for the first demo account under a delegation of every case kind,
    granted through the service by the demo importer user as the account's administrator (issue 13:
    a broker acts only under a live delegation, so a broker login without one would see nothing)."""
    firm, _ = BrokerFirm.objects.get_or_create(filer_code="DMO", defaults={"name": "Demo Customs Brokers"})
    User.objects.filter(username="broker").update(broker_firm=firm)
    admins = ImporterMembership.objects.filter(importer=importer, user__username="importer")
    admins.update(is_account_admin=True)
    if BrokerDelegation.objects.filter(importer=importer, broker_firm=firm, revoked_at__isnull=True).exists():
        return
    today = legal_today()
    grant_delegation(
        actor=User.objects.get(username="importer"),
        importer=importer,
        broker_firm=firm,
        case_kinds=DELEGABLE_KINDS,
        starts_on=today,
        ends_on=today + timedelta(days=365),
        power_of_attorney="CBP Form 5291 DEMO-0001",
        today=today,
    )


def seed_demo(
    *,
    importers: int,
    entries: int,
    lines_per_entry: float = 5,
    cases: int = 0,
    seed: int = 1,
    today: date,
    stdout=None,
    progress: bool | None = None,
) -> SeedResult:
    """Load demo importers, entries, lines and cases unless demo data is there; always ensure the logins."""
    if importers < 10:
        raise ValueError("At least 10 importers are needed, one per Center.")
    if entries < importers:
        raise ValueError("Every importer needs an entry: give at least as many entries as importers.")
    if lines_per_entry < 1:
        raise ValueError("An entry has at least one line.")
    progress = sys.stderr.isatty() if progress is None else progress
    result = SeedResult(created=False)
    clock = _Clock(result, stdout)
    with transaction.atomic():
        writer = _CopyWriter() if connection.vendor == "postgresql" else _OrmWriter()
        writer.lock()
        if demo_data_present():
            result.logins = ensure_demo_users()
            if cases:
                # Entries seeded earlier without cases (benchmark databases) can get them now;
                # seed_cases itself does nothing when cases exist.
                added = seed_cases(count=cases, seed=seed, today=today, stdout=stdout)
                if added:
                    result.created = True
                    result.counts["cases"] = added
            return result
        result.created = True
        plan = _Plan.build(importers=importers, seed=seed, today=today)

        importer_start = writer.reserve_ids(Importer, importers)
        rows = plan.importer_rows(importer_start)
        result.counts["importers"] = writer.write(Importer, IMPORTER_FIELDS, rows)
        writer.release_ids(Importer, importer_start + importers - 1)
        clock.lap("importers")

        entry_start = writer.reserve_ids(Entry, entries)
        schedule = plan.schedule_entries(entries, importer_start, entry_start)
        with _bar(progress, entries, "entries") as bar:
            result.counts["entries"] = writer.write(Entry, ENTRY_FIELDS, _ticking(schedule.rows, bar))
        writer.release_ids(Entry, entry_start + entries - 1)
        clock.lap("entries")

        line_start = writer.reserve_ids(EntryLine, None)
        with _bar(progress, entries, "lines (by entry)") as bar:
            lines = plan.line_rows(schedule, line_start, lines_per_entry, bar.update)
            result.counts["lines"] = writer.write(EntryLine, LINE_FIELDS, lines)
        writer.release_ids(EntryLine, line_start + result.counts["lines"] - 1)
        writer.analyze(Importer, Entry, EntryLine)
        clock.lap("lines")

        result.counts["monthly mix rows"] = refresh_monthly_mix(None)
        clock.lap("monthly mix")

        ids = list(range(importer_start, importer_start + importers))
        result.counts["initial assignments"] = sum(
            assign_initial_centers(ids[i : i + 5000], today=today) for i in range(0, len(ids), 5000)
        )
        clock.lap("initial Centers")

        # Before the cases, which are assigned to the staff of each Center.
        result.logins = ensure_demo_users()
        clock.lap("demo users")

        if cases:
            result.counts["cases"] = seed_cases(count=cases, seed=seed, today=today, stdout=stdout)
            clock.lap("cases")
    return result


# --- Generation -----------------------------------------------------------------------------------------


@dataclass
class _Catalog:
    """Products an importer brings in again and again: HTS numbers, their weights and duty rates."""

    hts: list[str]
    cum_weights: list[float]
    duty_bp: dict[str, int]


@dataclass
class _Profile:
    center_id: int
    catalog: _Catalog
    late_catalog: _Catalog  # the second year's products; another Center's for importers that drift
    noise: float  # share of lines outside the catalog
    value_scale: float
    ports: list[str]
    filer_codes: tuple[str, ...]


@dataclass
class _Schedule:
    """Per entry, what its lines need: the importer's index and whether it is in the second year."""

    rows: Iterator[tuple]
    entry_start: int
    importer_of: array = field(default_factory=lambda: array("l"))
    late: bytearray = field(default_factory=bytearray)


class _Plan:
    """Reference data and every importer's profile, drawn once from the seed."""

    def __init__(self, *, seed: int, today: date):
        self.seed, self.today = seed, today
        self.now = timezone.now().isoformat()
        self.heading_center = heading_center_ids()
        self.ace_ids = dict(Center.objects.values_list("pk", "ace_id"))
        rng = random.Random(f"{seed}:reference")
        weights = {}
        for chapter, last in LAST_HEADING.items():
            chapter_weight = CHAPTER_WEIGHTS.get(chapter, OTHER_CHAPTER_WEIGHT)
            for n in range(1, last + 1):
                heading = f"{chapter}{n:02d}"
                weights[heading] = chapter_weight / last * rng.lognormvariate(0, 0.8)
                weights[heading] *= HEADING_BOOST.get(heading, 1)
        # Which headings each Center owns comes from the one resolver's heading table.
        self.center_headings: dict[int, list[str]] = {}
        for heading in weights:
            center_id = self.heading_center.get(heading)
            if center_id is not None:
                self.center_headings.setdefault(center_id, []).append(heading)
        self.centers = sorted(self.center_headings, key=lambda c: self.ace_ids[c])
        self.center_cum_weights = {
            c: list(accumulate(weights[h] for h in headings)) for c, headings in self.center_headings.items()
        }
        self.center_weights = [sum(weights[h] for h in self.center_headings[c]) for c in self.centers]
        # Every heading, 98 and 99 included, for the lines an importer files outside its usual goods.
        self.noise = self._catalog(rng, list(weights), list(accumulate(weights.values())), size=4000)
        ports = list(Port.objects.ports_of_entry().order_by("code").values_list("code", flat=True))
        self.ports = ports
        self.port_cum_weights = list(
            accumulate(PORT_BOOST.get(p, 1) * rng.lognormvariate(0, 1) for p in ports)
        )
        self.profiles: list[_Profile] = []

    @classmethod
    def build(cls, *, importers: int, seed: int, today: date) -> "_Plan":
        plan = cls(seed=seed, today=today)
        rng = random.Random(f"{seed}:importers")
        # The first ten importers take one Center each (Machinery first, the demo staff's Center), so
        # every Center has accounts; the rest follow the weight of each Center's trade.
        by_ace = sorted(plan.centers, key=lambda c: (plan.ace_ids[c] != "CEE010", plan.ace_ids[c]))
        cum = list(accumulate(plan.center_weights))
        for index in range(importers):
            center_id = by_ace[index] if index < 10 else plan.centers[bisect(cum, rng.random() * cum[-1])]
            drifts = index >= 10 and (index - 10) % DRIFT_EVERY == 0
            later = center_id
            while drifts and later == center_id:
                later = plan.centers[bisect(cum, rng.random() * cum[-1])]
            plan.profiles.append(plan._profile(rng, center_id, later, pure=index < 10))
        return plan

    def _catalog(
        self, rng: random.Random, headings: list[str], cum_weights: list[float], size: int
    ) -> _Catalog:
        hts = []
        for heading in rng.choices(headings, cum_weights=cum_weights, k=size):
            subheading = rng.choice((10, 10, 20, 30, 40, 50, 60, 90, 90))
            tariff_line = rng.choice((0, 0, 10, 20, 30, 40, 50, 60, 80, 90))
            statistical = rng.choice((0, 0, 10, 20, 30, 40, 50, 60, 70, 80, 90))
            hts.append(f"{heading}{subheading:02d}{tariff_line:02d}{statistical:02d}")
        hts = list(dict.fromkeys(hts))
        cum_weights = list(accumulate(rng.lognormvariate(0, 1.2) for _ in hts))
        return _Catalog(hts, cum_weights, {h: rng.choice(DUTY_RATES_BP) for h in hts})

    def _profile(self, rng: random.Random, center_id: int, later_id: int, *, pure: bool) -> _Profile:
        size = 1 + min(int(rng.expovariate(1 / 6)), 40)
        catalog = self._catalog(
            rng, self.center_headings[center_id], self.center_cum_weights[center_id], size
        )
        late_catalog = catalog
        if later_id != center_id:
            late_catalog = self._catalog(
                rng, self.center_headings[later_id], self.center_cum_weights[later_id], size
            )
        home_ports = {self.ports[bisect(self.port_cum_weights, rng.random() * self.port_cum_weights[-1])]}
        home_ports |= {rng.choice(self.ports) for _ in range(rng.randrange(2))}
        return _Profile(
            center_id=center_id,
            catalog=catalog,
            late_catalog=late_catalog,
            noise=0.0 if pure else rng.uniform(0.02, 0.15),
            value_scale=rng.lognormvariate(0, 0.8),
            ports=sorted(home_ports),
            filer_codes=tuple(sorted(set(rng.choices(FILER_CODES, k=rng.choice((1, 1, 2)))))),
        )

    def importer_rows(self, start_id: int) -> list[tuple]:
        rng = random.Random(f"{self.seed}:names")
        taken = set(Importer.objects.values_list("ior_number", flat=True))
        rows, candidate = [], 0
        for index, profile in enumerate(self.profiles):
            ior = _ein(candidate)
            while ior in taken:
                candidate += 1
                ior = _ein(candidate)
            candidate += 1
            trade = rng.choice(_NAME_TRADE[self.ace_ids[profile.center_id]])
            name = f"{rng.choice(_NAME_FIRST)} {trade} {rng.choice(_NAME_FORM)}{DEMO_MARKER}"
            city, state, zip_code = rng.choice(_CITIES)
            address = f"{rng.randrange(1, 9900)} Commerce Way, {city}, {state} {zip_code}"
            rows.append((start_id + index, ior, "ein", name, address, False, "", "", self.now))
        return rows

    def schedule_entries(self, count: int, importer_start: int, entry_start: int) -> _Schedule:
        """Spread entries over two years of business days, every importer getting at least one."""
        rng = random.Random(f"{self.seed}:entries")
        first_day = self.today.toordinal() - 729
        business_days = [d for d in range(first_day, self.today.toordinal() + 1) if (d - 1) % 7 < 5]
        days = sorted(rng.choices(business_days, k=count))
        sizes = list(accumulate(min(rng.paretovariate(1.16), 2000) for _ in self.profiles))
        owners = list(range(len(self.profiles)))
        owners += (bisect(sizes, rng.random() * sizes[-1]) for _ in range(count - len(self.profiles)))
        rng.shuffle(owners)
        schedule = _Schedule(rows=iter(()), entry_start=entry_start)
        # Queried now: the rows are generated while a COPY holds the connection.
        serials = _next_serials()
        schedule.rows = self._entry_rows(rng, days, owners, serials, importer_start, schedule)
        return schedule

    def _entry_rows(self, rng, days, owners, serials, importer_start, schedule) -> Iterator[tuple]:
        iso = _IsoDates()
        today = self.today.toordinal()
        midpoint = today - 365
        entry_start = schedule.entry_start
        for offset, (day, owner) in enumerate(zip(days, owners, strict=True)):
            profile = self.profiles[owner]
            schedule.importer_of.append(owner)
            schedule.late.append(day > midpoint)
            filer = (
                profile.filer_codes[0] if len(profile.filer_codes) == 1 else rng.choice(profile.filer_codes)
            )
            serial = serials[filer]
            serials[filer] = serial + 1
            transaction_number = f"{serial:07d}"
            check = entry_check_digit(filer, transaction_number)
            entry_type = ENTRY_TYPES[
                bisect(ENTRY_TYPE_CUM_WEIGHTS, rng.random() * ENTRY_TYPE_CUM_WEIGHTS[-1])
            ]
            if rng.random() < 0.85:
                port = profile.ports[0] if len(profile.ports) == 1 else rng.choice(profile.ports)
            else:
                port = self.ports[bisect(self.port_cum_weights, rng.random() * self.port_cum_weights[-1])]
            imported = day - rng.choice((0, 0, 0, 0, 0, 1, 2, 3, 5, 7, 10))
            scheduled, liquidated, status = day + DAYS_TO_LIQUIDATION, None, LiquidationStatus.UNLIQUIDATED
            requested = under_review = False
            if entry_type == "03" and rng.random() < SUSPENDED_SHARE_OF_ADCVD:
                # AD/CVD suspension (1504(c)): no liquidation is scheduled until it is lifted.
                scheduled, status = None, LiquidationStatus.SUSPENDED
            elif rng.random() < EXTENDED_SHARE:
                # 1504(b): extended a year at a time, at most three times (two suffice within two years).
                while scheduled <= today:
                    scheduled += 365
                status = LiquidationStatus.EXTENDED
                requested = rng.random() < IMPORTER_REQUESTED_SHARE
            else:
                # ACE posts liquidations weekly, on Fridays (weekday 4; ordinal 1 is a Monday).
                friday = scheduled + (4 - (scheduled - 1) % 7) % 7
                if friday <= today:
                    liquidated, status = friday, LiquidationStatus.LIQUIDATED
            if status != LiquidationStatus.LIQUIDATED:
                under_review = rng.random() < UNDER_REVIEW_SHARE
            yield (
                entry_start + offset,
                f"{filer}{transaction_number}{check}",
                filer,
                importer_start + owner,
                port,
                entry_type,
                iso[day],
                iso[imported],
                iso[scheduled] if scheduled else None,
                iso[liquidated] if liquidated else None,
                status.value,
                requested,
                under_review,
                self.now,
                self.now,
            )

    def line_rows(
        self, schedule: _Schedule, line_start: int, lines_per_entry: float, tick: Callable[[int], object]
    ) -> Iterator[tuple]:
        """Lines of every entry, mostly from the importer's catalog; Centers through the heading table."""
        rng = random.Random(f"{self.seed}:lines")
        choices, rand, lognormal, expovariate = rng.choices, rng.random, rng.lognormvariate, rng.expovariate
        # 1 + floor(Exp(rate)) has mean lines_per_entry when exp(rate) = 1 + 1 / (lines_per_entry - 1).
        rate = log(1 + 1 / (lines_per_entry - 1)) if lines_per_entry > 1 else None
        heading_center, noise = self.heading_center, self.noise
        line_id = line_start
        for offset, owner in enumerate(schedule.importer_of):
            if offset % 10_000 == 0 and offset:
                tick(10_000)
            profile = self.profiles[owner]
            catalog = profile.late_catalog if schedule.late[offset] else profile.catalog
            count = 1 if rate is None else min(1 + int(expovariate(rate)), 999)
            picks = choices(catalog.hts, cum_weights=catalog.cum_weights, k=count)
            entry_id = schedule.entry_start + offset
            for number, hts in enumerate(picks, start=1):
                duty_bp = catalog.duty_bp[hts]
                # The first line is always the importer's own goods, so every importer gets a Center.
                if number > 1 and rand() < profile.noise:
                    hts = choices(noise.hts, cum_weights=noise.cum_weights)[0]
                    duty_bp = noise.duty_bp[hts]
                cents = min(int(lognormal(7.6, 1.5) * profile.value_scale * 100), 5_000_000_000)
                duty = cents * duty_bp // 10_000
                yield (
                    line_id,
                    entry_id,
                    number,
                    hts,
                    f"{cents // 100}.{cents % 100:02d}",
                    f"{duty // 100}.{duty % 100:02d}",
                    heading_center[hts[:4]],
                )
                line_id += 1
        tick(len(schedule.importer_of) % 10_000 or 10_000)


def _ein(index: int) -> str:
    """A valid EIN-form importer number (NN-NNNNNNN00), distinct for every index below 10 million."""
    # 7_368_787 is coprime with 10**7, so the serials are a permutation: unique, but not sequential.
    prefixes = ("20", "27", "33", "36", "41", "46", "52", "58", "61", "74", "81", "84", "91", "95")
    return f"{prefixes[index % len(prefixes)]}-{(index * 7_368_787 + 1_234_567) % 10**7:07d}00"


def _next_serials() -> dict[str, int]:
    """The next free transaction number for each demo filer code, so entry numbers never collide."""
    serials = dict.fromkeys(FILER_CODES, 1)
    for filer, highest in (
        Entry.objects.filter(filer_code__in=FILER_CODES)
        .values("filer_code")
        .annotate(highest=Max("entry_number"))
        .values_list("filer_code", "highest")
    ):
        serials[filer] = int(highest[3:10]) + 1
    return serials


class _IsoDates(dict):
    """Day ordinal -> "YYYY-MM-DD", computed once per day."""

    def __missing__(self, ordinal: int) -> str:
        self[ordinal] = text = date.fromordinal(ordinal).isoformat()
        return text


# --- Writers ---------------------------------------------------------------------------------------------


def _columns(model, fields: Iterable[str]) -> list[str]:
    return [model._meta.get_field(name).column for name in fields]


class _CopyWriter:
    """PostgreSQL: COPY into the tables, with ids from a range reserved on each table's sequence."""

    def __init__(self):
        with connection.cursor() as cursor:
            self.pg = cursor.connection

    def lock(self) -> None:
        # Blocks other writers (not readers) until commit, so nobody takes ids in the reserved range
        # and two seeders cannot both find the database empty.
        tables = ", ".join(m._meta.db_table for m in (Importer, Entry, EntryLine))
        with self.pg.cursor() as cursor:
            cursor.execute(f"LOCK TABLE {tables} IN EXCLUSIVE MODE")
            # Check foreign keys row by row instead of queueing millions of deferred checks.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")

    def reserve_ids(self, model, count: int | None) -> int:
        table = model._meta.db_table
        with self.pg.cursor() as cursor:
            cursor.execute(
                f"SELECT GREATEST((SELECT COALESCE(MAX(id), 0) + 1 FROM {table}), "
                f"nextval(pg_get_serial_sequence('{table}', 'id')))"
            )
            start = cursor.fetchone()[0]
        if count:
            self.release_ids(model, start + count - 1)
        return start

    def release_ids(self, model, last_id: int) -> None:
        """Point the sequence after the last id written."""
        table = model._meta.db_table
        with self.pg.cursor() as cursor:
            cursor.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), %s)", [max(last_id, 1)])

    def write(self, model, fields: tuple[str, ...], rows: Iterable[tuple]) -> int:
        columns = ", ".join(f'"{c}"' for c in _columns(model, fields))
        written = 0
        with self.pg.cursor() as cursor:
            with cursor.copy(f"COPY {model._meta.db_table} ({columns}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
                    written += 1
        return written

    def analyze(self, *models) -> None:
        # Fresh statistics, so the rollup that follows gets a sensible plan.
        with self.pg.cursor() as cursor:
            cursor.execute("ANALYZE " + ", ".join(m._meta.db_table for m in models))


class _OrmWriter:
    """Other databases (SQLite for `make run`): bulk_create in batches, with explicit ids."""

    def lock(self) -> None:
        pass

    def reserve_ids(self, model, count: int | None) -> int:
        return (model.objects.aggregate(highest=Max("id"))["highest"] or 0) + 1

    def release_ids(self, model, last_id: int) -> None:
        pass

    def write(self, model, fields: tuple[str, ...], rows: Iterable[tuple]) -> int:
        written, batch = 0, []
        for row in rows:
            batch.append(model(**dict(zip(fields, row, strict=True))))
            if len(batch) == 2000:
                written += len(model.objects.bulk_create(batch))
                batch = []
        written += len(model.objects.bulk_create(batch))
        return written

    def analyze(self, *models) -> None:
        pass


# --- Progress and timings --------------------------------------------------------------------------------


class _Clock:
    def __init__(self, result: SeedResult, stdout):
        self.result, self.stdout = result, stdout
        self.started = time.perf_counter()

    def lap(self, phase: str) -> None:
        now = time.perf_counter()
        self.result.timings.append((phase, now - self.started))
        if self.stdout is not None:
            counts = self.result.counts
            shown = {"importers": "importers", "entries": "entries", "lines": "lines"}.get(phase)
            figure = f" ({counts[shown]:,} rows)" if shown in counts else ""
            self.stdout.write(f"  {phase}: {now - self.started:.1f} s{figure}")
        self.started = now


def _bar(enabled: bool, total: int, what: str):
    from tqdm import tqdm

    return tqdm(total=total, desc=what, unit=" entries", disable=not enabled, leave=False, mininterval=1)


def _ticking(rows: Iterable[tuple], bar) -> Iterator[tuple]:
    for count, row in enumerate(rows, start=1):
        if count % 10_000 == 0:
            bar.update(10_000)
        yield row


def parse_today(value: str | None) -> date:
    """The --today option: YYYY-MM-DD, or today's legal date (the demo's history rows are dated with it)."""
    return date.fromisoformat(value) if value else legal_today()
