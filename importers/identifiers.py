"""Validation and normalisation of CBP identifiers: entry numbers, importer numbers (IOR), HTS numbers."""

import re
from collections.abc import Mapping
from enum import StrEnum
from types import MappingProxyType
from typing import Final

from django.core.exceptions import ValidationError

__all__ = [
    "ENTRY_LETTER_VALUES",
    "IorKind",
    "entry_check_digit",
    "format_entry_number",
    "format_hts",
    "format_ior",
    "hts_chapter",
    "hts_heading",
    "ior_kind",
    "normalize_entry_number",
    "normalize_hts",
    "normalize_ior",
    "validate_entry_number",
    "validate_hts",
    "validate_ior",
]

_ENTRY_CODE: Final = "invalid_entry_number"
_IOR_CODE: Final = "invalid_ior"
_HTS_CODE: Final = "invalid_hts"

# Explicit ASCII sets: str.isdigit()/isalnum() also accept characters such as "²" or "٣", which are
# not valid in any CBP identifier and would break int() or the letter table further on.
_DIGITS: Final = frozenset("0123456789")
_LETTERS: Final = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz")
_ALNUM: Final = _DIGITS | _LETTERS

# Text pasted from PDFs and word processors often carries typographic dashes instead of "-".
_TO_ASCII_DASH: Final = str.maketrans(dict.fromkeys("\u2010\u2011\u2012\u2013\u2014\u2212", "-"))

# Messages echo the input so the user can find it; cap it so a pasted paragraph stays readable.
_SHOWN_MAX: Final = 40

# Laid out as in CATAIR Appendix E: the letters on row N of this tuple count as the digit N.
ENTRY_LETTER_VALUES: Final[Mapping[str, int]] = MappingProxyType(
    {
        letter: value
        for value, letters in enumerate(("", "AJ", "BKS", "CLT", "DMU", "ENV", "FOW", "GPX", "HQY", "IRZ"))
        for letter in letters
    }
)

_ENTRY_FORMAT: Final = "XXX-NNNNNNN-C (3-character filer code, 7-digit transaction number, check digit)"
_IOR_FORMATS: Final = (
    "an EIN with its 2-character suffix (NN-NNNNNNNXX, or NN-NNNNNNN-XX), "
    "a CBP-assigned number (YYDDPP-NNNNN) or an SSN (NNN-NN-NNNN)"
)
_HTS_FORMAT: Final = "10 digits, e.g. 8471.30.0100"

# Matched against upper-cased ASCII text with fullmatch, so no anchors and no re.ASCII are needed.
_EIN_DASHED: Final = re.compile(r"[0-9]{2}-[0-9]{7}[A-Z0-9]{2}")
_EIN_UNDASHED: Final = re.compile(r"[0-9]{9}[A-Z0-9]{2}")
# An EIN typed with a dash before its suffix too (12-3456789-00): the dashes say where the suffix
# starts, so even an all-digit suffix is unambiguous (issue 9 item 11).
_EIN_SUFFIX_DASHED: Final = re.compile(r"([0-9]{2})-([0-9]{7})-([A-Z0-9]{2})")
_CBP_ASSIGNED: Final = re.compile(r"[0-9]{6}-[0-9]{5}")
_SSN: Final = re.compile(r"[0-9]{3}-[0-9]{2}-[0-9]{4}")


class IorKind(StrEnum):
    """Which of the three numbering schemes an importer of record number belongs to."""

    EIN = "ein"
    CBP = "cbp"
    SSN = "ssn"


def _shown(text: str) -> str:
    """Return the input as it should appear in a message, shortened if very long."""
    return text if len(text) <= _SHOWN_MAX else text[: _SHOWN_MAX - 1] + "…"


def _require_str(raw: object, label: str, code: str) -> str:
    """Return raw if it is a str, else refuse it (bulk imports hand over whatever the cell held)."""
    if isinstance(raw, str):
        return raw
    # A spreadsheet number has lost any leading zeros, so converting it here could invent a value.
    raise ValidationError(
        f"{label} {_shown(repr(raw))}: expected text, got {type(raw).__name__} "
        "(numbers read from spreadsheets lose leading zeros; read the cell as text)",
        code=code,
    )


def _without(text: str, separators: str) -> str:
    """Return text with all whitespace and the given separator characters removed."""
    for separator in separators:
        text = text.replace(separator, " ")
    return "".join(text.split())


def _first_outside(text: str, allowed: frozenset[str]) -> str | None:
    """Return the first character of text not in allowed, or None."""
    return next((char for char in text if char not in allowed), None)


# What each character adds to the CATAIR sum: as itself at odd positions (1st, 3rd, ...), doubled
# with the digits of the product added (value * 2 - 9 above 9) at even ones.
_ODD_POSITION_VALUE: Final = MappingProxyType(
    {
        **{d: int(d) for d in "0123456789"},
        **ENTRY_LETTER_VALUES,
        **{k.lower(): v for k, v in ENTRY_LETTER_VALUES.items()},
    }
)
_EVEN_POSITION_VALUE: Final = MappingProxyType(
    {char: value * 2 - 9 if value * 2 > 9 else value * 2 for char, value in _ODD_POSITION_VALUE.items()}
)
# An entry number already in its normalised form: checked with the table above and nothing else.
_NORMALIZED_ENTRY: Final = re.compile(r"[A-Z0-9]{3}[0-9]{8}")


def _check_digit_of(first_ten: str) -> int:
    """The check digit for 10 validated characters: filer code then transaction number."""
    total = sum(map(_ODD_POSITION_VALUE.__getitem__, first_ten[0::2]))
    total += sum(map(_EVEN_POSITION_VALUE.__getitem__, first_ten[1::2]))
    return (10 - total % 10) % 10


def entry_check_digit(filer_code: str, transaction: str) -> int:
    """Return the CATAIR Appendix E check digit for a filer code and a 7-digit transaction number."""
    filer_code = _require_str(filer_code, "Filer code", _ENTRY_CODE)
    transaction = _require_str(transaction, "Transaction number", _ENTRY_CODE)
    if len(filer_code) != 3 or _first_outside(filer_code, _ALNUM) is not None:
        raise ValidationError(
            f"Filer code {_shown(filer_code)}: expected 3 letters or digits (A-Z, 0-9)", code=_ENTRY_CODE
        )
    if len(transaction) != 7 or _first_outside(transaction, _DIGITS) is not None:
        raise ValidationError(
            f"Transaction number {_shown(transaction)}: expected exactly 7 digits", code=_ENTRY_CODE
        )
    return _check_digit_of(filer_code + transaction)


def normalize_entry_number(raw: str) -> str:
    """Return the 11-character normalised entry number (e.g. "ABC12345676") or raise ValidationError."""
    # Fast path for the normalised form with a right check digit (the entry feed sends millions).
    if type(raw) is str and len(raw) == 11 and _NORMALIZED_ENTRY.fullmatch(raw):
        if _check_digit_of(raw[:10]) == int(raw[10]):
            return raw
    text = _require_str(raw, "Entry number", _ENTRY_CODE).strip()
    if not text:
        raise ValidationError(f"Entry number is empty; expected {_ENTRY_FORMAT}", code=_ENTRY_CODE)
    compact = _without(text.translate(_TO_ASCII_DASH), "-")
    shown = _shown(text)
    if len(compact) != 11:
        # An odd character explains the wrong length better than the count does.
        stray = _first_outside(compact, _ALNUM)
        if stray is not None:
            raise ValidationError(
                f"Entry number {shown}: {stray!r} is not allowed; expected {_ENTRY_FORMAT}", code=_ENTRY_CODE
            )
        raise ValidationError(
            f"Entry number {shown}: has {len(compact)} letters and digits but should have 11; "
            f"expected {_ENTRY_FORMAT}",
            code=_ENTRY_CODE,
        )
    filer_code, transaction, check = compact[:3], compact[3:10], compact[10]
    if _first_outside(filer_code, _ALNUM) is not None:
        raise ValidationError(
            f"Entry number {shown}: filer code {filer_code!r} must be 3 letters or digits (A-Z, 0-9); "
            f"expected {_ENTRY_FORMAT}",
            code=_ENTRY_CODE,
        )
    if _first_outside(transaction, _DIGITS) is not None:
        raise ValidationError(
            f"Entry number {shown}: transaction number {transaction!r} must be 7 digits; "
            f"expected {_ENTRY_FORMAT}",
            code=_ENTRY_CODE,
        )
    if check not in _DIGITS:
        raise ValidationError(
            f"Entry number {shown}: check digit {check!r} must be a digit; expected {_ENTRY_FORMAT}",
            code=_ENTRY_CODE,
        )
    # Safe only now: every character is ASCII, so upper() cannot change the length ("ß" -> "SS").
    normalized = compact.upper()
    expected = entry_check_digit(normalized[:3], transaction)
    if int(check) != expected:
        raise ValidationError(
            f"Entry number {_format_entry(normalized)}: check digit is {check} but should be {expected} "
            "(CATAIR Appendix E)",
            code=_ENTRY_CODE,
        )
    return normalized


def _format_entry(normalized: str) -> str:
    """Insert the dashes into an 11-character entry number."""
    return f"{normalized[:3]}-{normalized[3:10]}-{normalized[10:]}"


def format_entry_number(normalized: str) -> str:
    """Return the display form "ABC-1234567-6"; a value that is not a valid entry number comes back as is."""
    # Called from model __str__ and templates, where raising would break a whole page (or the admin)
    # over one bad row; showing the stored value unchanged also avoids dressing it up as valid.
    try:
        return _format_entry(normalize_entry_number(normalized))
    except ValidationError:
        return normalized


def _check_ssn(text: str, shown: str) -> None:
    """Refuse SSNs in ranges the Social Security Administration never issues."""
    area, group, serial = text.split("-")
    reason = None
    if area in ("000", "666"):
        reason = f"area number (first 3 digits) {area} is never issued"
    elif area.startswith("9"):
        reason = f"area numbers 900-999 (here {area}) are never issued as SSNs"
    elif group == "00":
        reason = "group number (middle 2 digits) 00 is never issued"
    elif serial == "0000":
        reason = "serial number (last 4 digits) 0000 is never issued"
    if reason is not None:
        raise ValidationError(
            f"Importer number {shown}: not a valid SSN (NNN-NN-NNNN): {reason} (SSA rules)", code=_IOR_CODE
        )


def normalize_ior(raw: str) -> tuple[str, IorKind]:
    """Return (canonical dashed importer number, its kind) or raise ValidationError."""
    text = _require_str(raw, "Importer number", _IOR_CODE).strip().translate(_TO_ASCII_DASH)
    if not text:
        raise ValidationError(f"Importer number is empty; expected {_IOR_FORMATS}", code=_IOR_CODE)
    shown = _shown(text)
    stray = _first_outside(text, _ALNUM | {"-"})
    if stray is not None:
        raise ValidationError(
            f"Importer number {shown}: {stray!r} is not allowed; expected {_IOR_FORMATS}", code=_IOR_CODE
        )
    # Safe only now: every character is ASCII, so upper() cannot change the length ("ß" -> "SS").
    text = text.upper()
    if _EIN_DASHED.fullmatch(text):
        return text, IorKind.EIN
    suffix_dashed = _EIN_SUFFIX_DASHED.fullmatch(text)
    if suffix_dashed:
        prefix, serial, suffix = suffix_dashed.groups()
        return f"{prefix}-{serial}{suffix}", IorKind.EIN
    if _CBP_ASSIGNED.fullmatch(text):
        return text, IorKind.CBP
    if _SSN.fullmatch(text):
        _check_ssn(text, shown)
        return text, IorKind.SSN
    # Without dashes only a letter in the suffix tells an EIN from a CBP-assigned number (all digits).
    if _EIN_UNDASHED.fullmatch(text) and _first_outside(text[9:], _DIGITS) is not None:
        return f"{text[:2]}-{text[2:]}", IorKind.EIN
    if len(text) == 9 and _first_outside(text, _DIGITS) is None:
        raise ValidationError(
            f"Importer number {shown}: 9 digits without dashes are ambiguous (an SSN, or an EIN missing "
            f"its 2-character suffix); accepted formats are {_IOR_FORMATS}",
            code=_IOR_CODE,
        )
    if len(text) == 11 and _first_outside(text, _DIGITS) is None:
        raise ValidationError(
            f"Importer number {shown}: 11 digits without dashes are ambiguous (an EIN with a numeric "
            f"suffix, or a CBP-assigned number); enter it with dashes. Accepted formats are {_IOR_FORMATS}",
            code=_IOR_CODE,
        )
    raise ValidationError(
        f"Importer number {shown}: not a recognised format; expected {_IOR_FORMATS}", code=_IOR_CODE
    )


def format_ior(normalized: str) -> str:
    """Return the display form of an importer number; a value that is not valid comes back as is."""
    # The canonical form is already the display form; this is the one place to change if that changes.
    # Like format_entry_number it must not raise, because display code calls it on stored rows.
    try:
        return normalize_ior(normalized)[0]
    except ValidationError:
        return normalized


def ior_kind(normalized: str) -> IorKind:
    """Return the kind of an importer number, or raise ValidationError if it is not valid."""
    return normalize_ior(normalized)[1]


def normalize_hts(raw: str) -> str:
    """Return the 10-digit HTS number (e.g. "8471300100") or raise ValidationError."""
    # Fast path for the common, already-normalised form (the entry feed sends millions of these).
    if type(raw) is str and len(raw) == 10 and raw.isascii() and raw.isdigit():
        if raw[:2] not in ("00", "77"):
            return raw
    text = _require_str(raw, "HTS number", _HTS_CODE).strip()
    if not text:
        raise ValidationError(f"HTS number is empty; expected {_HTS_FORMAT}", code=_HTS_CODE)
    shown = _shown(text)
    # Sources punctuate differently (8471.30.0100, 8471.30.01.00, 8471 30 01 00); the digits decide.
    digits = _without(text, ".")
    stray = _first_outside(digits, _DIGITS)
    if stray is not None:
        raise ValidationError(
            f"HTS number {shown}: {stray!r} is not a digit; expected {_HTS_FORMAT}", code=_HTS_CODE
        )
    if len(digits) != 10:
        hint = ""
        if len(digits) == 9:
            hint = " (a spreadsheet may have dropped the leading 0 of a chapter 01-09 number)"
        elif len(digits) == 8:
            hint = " (an 8-digit tariff line also needs its 2-digit statistical suffix)"
        raise ValidationError(
            f"HTS number {shown}: expected {_HTS_FORMAT}, but found {len(digits)} digits{hint}",
            code=_HTS_CODE,
        )
    chapter = digits[:2]
    if chapter == "00":
        raise ValidationError(
            f"HTS number {shown}: chapter 00 does not exist (chapters run from 01); expected {_HTS_FORMAT}",
            code=_HTS_CODE,
        )
    if chapter == "77":
        raise ValidationError(
            f"HTS number {shown}: chapter 77 is reserved in the Harmonized System and classifies no goods",
            code=_HTS_CODE,
        )
    return digits


def format_hts(normalized: str) -> str:
    """Return the display form "8471.30.0100"; a value that is not a valid HTS number comes back as is."""
    # Display code calls this on stored rows; see format_entry_number for why it does not raise.
    try:
        digits = normalize_hts(normalized)
    except ValidationError:
        return normalized
    return f"{digits[:4]}.{digits[4:6]}.{digits[6:]}"


def hts_chapter(normalized: str) -> str:
    """Return the 2-digit chapter of an HTS number, or raise ValidationError if it is not valid."""
    return normalize_hts(normalized)[:2]


def hts_heading(normalized: str) -> str:
    """Return the 4-digit heading of an HTS number, or raise ValidationError if it is not valid."""
    return normalize_hts(normalized)[:4]


def validate_entry_number(value: str) -> None:
    """Django validator: refuse anything normalize_entry_number refuses."""
    normalize_entry_number(value)


def validate_ior(value: str) -> None:
    """Django validator: refuse anything normalize_ior refuses."""
    normalize_ior(value)


def validate_hts(value: str) -> None:
    """Django validator: refuse anything normalize_hts refuses."""
    normalize_hts(value)
