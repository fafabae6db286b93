"""Tests for importers.identifiers: tables of valid and invalid identifiers, plus hypothesis properties."""

import pytest
from django.core.exceptions import ValidationError
from hypothesis import given, settings
from hypothesis import strategies as st

from importers.identifiers import (
    ENTRY_LETTER_VALUES,
    IorKind,
    entry_check_digit,
    format_entry_number,
    format_hts,
    format_ior,
    hts_chapter,
    hts_heading,
    ior_kind,
    normalize_entry_number,
    normalize_hts,
    normalize_ior,
    validate_entry_number,
    validate_hts,
    validate_ior,
)

UPPER = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
DIGITS = "0123456789"
PROPERTY = settings(max_examples=200, deadline=None)


def refusal(normalizer, raw) -> ValidationError:
    """Call the normaliser, assert it refuses raw, and return the error."""
    with pytest.raises(ValidationError) as excinfo:
        normalizer(raw)
    return excinfo.value


def message(error: ValidationError) -> str:
    """Return the error's message text (plain str, so no settings are needed)."""
    return " ".join(error.messages)


def filer_char_value(char: str) -> int:
    """Return the value CATAIR gives one filer-code character."""
    return int(char) if char in DIGITS else ENTRY_LETTER_VALUES[char]


# --- Entry numbers: check digit -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("filer_code", "transaction", "check"),
    [("ABC", "1234567", 6), ("999", "9999999", 0)],
    ids=["ABC-1234567-6", "999-9999999-0"],
)
def test_worked_examples_from_domain(filer_code, transaction, check):
    assert entry_check_digit(filer_code, transaction) == check
    assert (
        normalize_entry_number(f"{filer_code}-{transaction}-{check}") == f"{filer_code}{transaction}{check}"
    )


# The table as CATAIR Appendix E prints it, written out again so a typo in the module cannot hide.
LETTER_ROWS = {1: "AJ", 2: "BKS", 3: "CLT", 4: "DMU", 5: "ENV", 6: "FOW", 7: "GPX", 8: "HQY", 9: "IRZ"}


@pytest.mark.parametrize(
    ("value", "letters"), LETTER_ROWS.items(), ids=[f"{v}={ls}" for v, ls in LETTER_ROWS.items()]
)
def test_letter_table_row(value, letters):
    assert all(ENTRY_LETTER_VALUES[letter] == value for letter in letters)


def test_letter_table_covers_exactly_a_to_z():
    assert sorted(ENTRY_LETTER_VALUES) == list(UPPER)


@pytest.mark.parametrize(
    ("filer_a", "filer_b"),
    [("AAA", "JJJ"), ("ABC", "JKL"), ("ABC", "JST"), ("ABC", "123"), ("IRZ", "999"), ("B2S", "KK2")],
    ids=["A=J", "ABC=JKL", "ABC=JST", "letters=digits", "IRZ=999", "mixed"],
)
def test_letters_of_equal_value_give_the_same_check_digit(filer_a, filer_b):
    """The check digit sees only each letter's table value, so A, J and the digit 1 are interchangeable.

    A typo between such characters (ABC vs JKL vs 123) is therefore NOT caught by the check digit.
    """
    for transaction in ("1234567", "0000000", "9081726"):
        assert entry_check_digit(filer_a, transaction) == entry_check_digit(filer_b, transaction)


def test_check_digit_accepts_lower_case_filer_code():
    assert entry_check_digit("abc", "1234567") == 6


@pytest.mark.parametrize(
    ("filer_code", "transaction", "fragment"),
    [
        ("AB", "1234567", "Filer code AB"),
        ("AB$", "1234567", "3 letters or digits"),
        ("ABC", "123456", "7 digits"),
        ("ABC", "12345X7", "7 digits"),
        ("ABC", "12345678", "7 digits"),
    ],
    ids=["short-filer", "symbol-filer", "short-transaction", "letter-in-transaction", "long-transaction"],
)
def test_check_digit_refuses_bad_parts(filer_code, transaction, fragment):
    with pytest.raises(ValidationError) as excinfo:
        entry_check_digit(filer_code, transaction)
    assert excinfo.value.code == "invalid_entry_number"
    assert fragment in message(excinfo.value)


@pytest.mark.parametrize("position", range(7), ids=[f"transaction-digit-{i + 1}" for i in range(7)])
def test_every_transaction_digit_value_gives_a_distinct_check_digit(position):
    """Exhaustive reason why any single-digit substitution is caught (the property test below samples it).

    Each digit contributes independently to the total mod 10, and both 'd' and 'doubled, digits summed'
    are permutations of 0-9; so for a fixed rest, the ten values of one position give ten check digits.
    """
    base = list("3141592")
    checks = set()
    for digit in DIGITS:
        base[position] = digit
        checks.add(entry_check_digit("ABC", "".join(base)))
    assert checks == set(range(10))


# --- Entry numbers: normalise and format ---------------------------------------------------------


@pytest.mark.parametrize(
    "raw",
    [
        "ABC-1234567-6",
        "ABC12345676",
        "abc12345676",
        "abc-1234567-6",
        "  ABC-1234567-6\n",
        "ABC 1234567 6",
        "ABC - 1234567 - 6",
        "ABC\u20131234567\u20136",
    ],
    ids=[
        "dashed",
        "compact",
        "lower-case",
        "lower-dashed",
        "surrounding-whitespace",
        "spaces",
        "spaced-dashes",
        "en-dashes",
    ],
)
def test_entry_number_normalises(raw):
    assert normalize_entry_number(raw) == "ABC12345676"


@pytest.mark.parametrize(
    ("raw", "fragments"),
    [
        ("", ["empty"]),
        ("   ", ["empty"]),
        ("ABC-1234567-5", ["ABC-1234567-5", "check digit is 5 but should be 6", "CATAIR Appendix E"]),
        ("abc12345675", ["ABC-1234567-5", "should be 6"]),
        ("999-9999999-1", ["should be 0"]),
        ("ABC-123456-6", ["has 10 letters and digits but should have 11", "XXX-NNNNNNN-C"]),
        ("ABC-12345678-6", ["has 12"]),
        ("AB$1234567-6", ["filer code 'AB$'", "3 letters or digits"]),
        ("ÀBC1234567-6", ["filer code", "3 letters or digits"]),
        ("ABC-12E4567-6", ["transaction number '12E4567'", "7 digits"]),
        ("ABC-1234567-X", ["check digit 'X'", "must be a digit"]),
        ("ABC/1234567/6", ["'/' is not allowed"]),
        ("ßC-1234567-6", ["'ß' is not allowed"]),
        ("ABC-１234567-6", ["transaction number", "7 digits"]),
    ],
    ids=[
        "empty",
        "blank",
        "bad-check-digit",
        "bad-check-digit-compact-lower",
        "bad-check-digit-nines",
        "too-short",
        "too-long",
        "symbol-in-filer",
        "accented-filer",
        "letter-in-transaction",
        "letter-as-check",
        "slashes",
        "sharp-s-would-upper-to-two-letters",
        "fullwidth-digit",
    ],
)
def test_entry_number_refused_with_specific_message(raw, fragments):
    error = refusal(normalize_entry_number, raw)
    assert error.code == "invalid_entry_number"
    for fragment in fragments:
        assert fragment in message(error)


def test_entry_number_refuses_non_text():
    error = refusal(normalize_entry_number, 12345676)
    assert error.code == "invalid_entry_number"
    assert "expected text" in message(error)


def test_format_entry_number():
    assert format_entry_number("ABC12345676") == "ABC-1234567-6"
    assert format_entry_number("abc 1234567 6") == "ABC-1234567-6"


def test_format_entry_number_leaves_invalid_value_unchanged():
    # Display code must not raise over one bad stored row, nor dress it up as valid.
    assert format_entry_number("ABC12345675") == "ABC12345675"


# --- Entry numbers: properties -------------------------------------------------------------------

filer_codes = st.text(alphabet=UPPER + DIGITS, min_size=3, max_size=3)
transactions = st.text(alphabet=DIGITS, min_size=7, max_size=7)


@st.composite
def entry_numbers(draw) -> str:
    """A valid normalised entry number: random filer code and transaction, computed check digit."""
    filer_code, transaction = draw(filer_codes), draw(transactions)
    return f"{filer_code}{transaction}{entry_check_digit(filer_code, transaction)}"


ENTRY_PRESENTATIONS = {
    "compact": lambda n: n,
    "dashed": lambda n: f"{n[:3]}-{n[3:10]}-{n[10]}",
    "lower-dashed": lambda n: f"{n[:3]}-{n[3:10]}-{n[10]}".lower(),
    "spaced": lambda n: f" {n[:3]} {n[3:10]} {n[10]} ",
}


@PROPERTY
@given(entry=entry_numbers(), presentation=st.sampled_from(sorted(ENTRY_PRESENTATIONS)))
def test_entry_number_round_trips(entry, presentation):
    normalized = normalize_entry_number(ENTRY_PRESENTATIONS[presentation](entry))
    assert normalized == entry
    formatted = format_entry_number(normalized)
    assert formatted == f"{entry[:3]}-{entry[3:10]}-{entry[10]}"
    assert normalize_entry_number(formatted) == normalized


@PROPERTY
@given(entry=entry_numbers(), position=st.integers(3, 10), shift=st.integers(1, 9))
def test_any_single_digit_substitution_is_refused(entry, position, shift):
    """Positions 3-9 are the transaction number, 10 the check digit; the shift makes the digit differ."""
    replacement = str((int(entry[position]) + shift) % 10)
    mutated = entry[:position] + replacement + entry[position + 1 :]
    error = refusal(normalize_entry_number, mutated)
    assert error.code == "invalid_entry_number"
    assert "check digit is" in message(error)


@PROPERTY
@given(entry=entry_numbers(), position=st.integers(0, 2), char=st.sampled_from(UPPER + DIGITS))
def test_filer_code_substitution_is_caught_exactly_when_the_value_changes(entry, position, char):
    mutated = entry[:position] + char + entry[position + 1 :]
    if filer_char_value(char) == filer_char_value(entry[position]):
        # Same table value (e.g. A for J, or 1 for A): indistinguishable to the check digit by design.
        assert normalize_entry_number(mutated) == mutated
    else:
        assert "check digit is" in message(refusal(normalize_entry_number, mutated))


# --- Importer numbers (IOR) ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "normalized", "kind"),
    [
        ("12-3456789AB", "12-3456789AB", IorKind.EIN),
        ("12-3456789ab", "12-3456789AB", IorKind.EIN),
        ("12-345678900", "12-345678900", IorKind.EIN),
        ("  12-3456789A1 \t", "12-3456789A1", IorKind.EIN),
        ("123456789AB", "12-3456789AB", IorKind.EIN),
        ("123456789ab", "12-3456789AB", IorKind.EIN),
        ("1234567890A", "12-34567890A", IorKind.EIN),
        ("123456789A1", "12-3456789A1", IorKind.EIN),
        ("12\u20133456789AB", "12-3456789AB", IorKind.EIN),
        ("180101-00001", "180101-00001", IorKind.CBP),
        (" 991234-56789 ", "991234-56789", IorKind.CBP),
        ("123-45-6789", "123-45-6789", IorKind.SSN),
        ("899-99-9999", "899-99-9999", IorKind.SSN),
        ("001-01-0001", "001-01-0001", IorKind.SSN),
        ("665-12-3456", "665-12-3456", IorKind.SSN),
    ],
    ids=[
        "ein",
        "ein-lower-suffix",
        "ein-numeric-suffix",
        "ein-whitespace",
        "ein-undashed-letter-suffix",
        "ein-undashed-lower",
        "ein-undashed-digit-then-letter",
        "ein-undashed-letter-then-digit",
        "ein-en-dash",
        "cbp",
        "cbp-whitespace",
        "ssn",
        "ssn-highest-area",
        "ssn-lowest-parts",
        "ssn-area-665",
    ],
)
def test_ior_normalises(raw, normalized, kind):
    assert normalize_ior(raw) == (normalized, kind)
    assert ior_kind(raw) is kind
    assert format_ior(raw) == normalized


ALL_FORMATS = ["NN-NNNNNNNXX", "YYDDPP-NNNNN", "NNN-NN-NNNN"]


@pytest.mark.parametrize(
    ("raw", "normalized"),
    [
        ("12-3456789-00", "12-345678900"),
        ("12-3456789-ab", "12-3456789AB"),
        (" 98-7654321-Z9 ", "98-7654321Z9"),
    ],
)
def test_ior_with_a_dash_before_the_suffix_is_accepted_and_normalised(raw, normalized):
    """Issue 9 item 11: NN-NNNNNNN-XX is an EIN with its suffix, the same in the feed and the admin."""
    assert normalize_ior(raw) == (normalized, IorKind.EIN)


@pytest.mark.parametrize("raw", ["12-3456789-0", "12-3456789-000", "1-23456789-00", "12-3456789--00"])
def test_ior_with_a_misplaced_suffix_dash_is_refused_with_the_formats(raw):
    error = refusal(normalize_ior, raw)
    assert error.code == "invalid_ior" and "NN-NNNNNNN-XX" in error.messages[0]


@pytest.mark.parametrize(
    ("raw", "fragments"),
    [
        ("", ["empty", *ALL_FORMATS]),
        ("123456789", ["9 digits without dashes are ambiguous", *ALL_FORMATS]),
        ("12345678901", ["11 digits without dashes are ambiguous", *ALL_FORMATS]),
        ("12-3456789", ["not a recognised format", *ALL_FORMATS]),
        ("12-3456789A", ["not a recognised format", *ALL_FORMATS]),
        ("12-3456789ABC", ["not a recognised format"]),
        ("123-456789AB", ["not a recognised format"]),
        ("123456789-AB", ["not a recognised format"]),
        ("18010-100001", ["not a recognised format"]),
        ("1801010-0001", ["not a recognised format"]),
        ("180101-0000A", ["not a recognised format"]),
        ("12345-6789", ["not a recognised format"]),
        ("123-456-789", ["not a recognised format"]),
        ("12-3456789A$", ["'$' is not allowed"]),
        ("12 3456789AB", ["' ' is not allowed"]),
        ("123456789ß", ["'ß' is not allowed"]),
        ("000-12-3456", ["area number", "000 is never issued", "SSA"]),
        ("666-12-3456", ["area number", "666 is never issued"]),
        ("900-12-3456", ["900-999", "never issued"]),
        ("999-12-3456", ["900-999", "never issued"]),
        ("123-00-4567", ["group number", "00 is never issued"]),
        ("123-45-0000", ["serial number", "0000 is never issued"]),
    ],
    ids=[
        "empty",
        "nine-digits-ambiguous",
        "eleven-digits-ambiguous",
        "ein-without-suffix",
        "ein-one-char-suffix",
        "ein-three-char-suffix",
        "ein-dash-misplaced",
        "ein-dash-before-suffix",
        "cbp-dash-early",
        "cbp-dash-late",
        "cbp-letter",
        "ten-digits",
        "ssn-dashes-misplaced",
        "symbol",
        "inner-space",
        "sharp-s-would-upper-to-two-letters",
        "ssn-area-000",
        "ssn-area-666",
        "ssn-area-900",
        "ssn-area-999",
        "ssn-group-00",
        "ssn-serial-0000",
    ],
)
def test_ior_refused_with_specific_message(raw, fragments):
    error = refusal(normalize_ior, raw)
    assert error.code == "invalid_ior"
    for fragment in fragments:
        assert fragment in message(error)
    if raw:
        assert raw in message(error)


def test_ior_refuses_non_text():
    assert refusal(normalize_ior, 123456789).code == "invalid_ior"


def test_ior_kind_refuses_invalid():
    assert refusal(ior_kind, "123456789").code == "invalid_ior"


def test_format_ior_leaves_invalid_value_unchanged():
    assert format_ior("123456789") == "123456789"


# --- Importer numbers: properties ------------------------------------------------------------------

eins = st.builds(
    lambda digits, suffix: f"{digits[:2]}-{digits[2:]}{suffix}",
    st.text(alphabet=DIGITS, min_size=9, max_size=9),
    st.text(alphabet=UPPER + DIGITS, min_size=2, max_size=2),
)
cbp_numbers = st.builds(
    lambda digits: f"{digits[:6]}-{digits[6:]}", st.text(alphabet=DIGITS, min_size=11, max_size=11)
)
ssns = st.builds(
    lambda area, group, serial: f"{area:03d}-{group:02d}-{serial:04d}",
    st.integers(1, 899).filter(lambda area: area != 666),
    st.integers(1, 99),
    st.integers(1, 9999),
)
canonical_iors = st.one_of(
    eins.map(lambda v: (v, IorKind.EIN)),
    cbp_numbers.map(lambda v: (v, IorKind.CBP)),
    ssns.map(lambda v: (v, IorKind.SSN)),
)


@PROPERTY
@given(ior=canonical_iors)
def test_ior_round_trips(ior):
    canonical, kind = ior
    assert normalize_ior(canonical) == (canonical, kind)
    assert normalize_ior(f"  {canonical.lower()} ") == (canonical, kind)
    assert format_ior(canonical) == canonical
    assert normalize_ior(format_ior(canonical)) == (canonical, kind)
    assert ior_kind(canonical) is kind


@PROPERTY
@given(ior=canonical_iors, data=st.data())
def test_ior_with_a_character_inserted_is_refused(ior, data):
    """Whitespace is not inserted: at either end it is stripped on purpose, so that is not a mutation."""
    canonical, kind = ior
    position = data.draw(st.integers(0, len(canonical)), label="position")
    char = data.draw(st.sampled_from(UPPER + DIGITS + "-"), label="char")
    mutated = canonical[:position] + char + canonical[position:]
    if kind is IorKind.EIN and char == "-" and position == 10:
        # A dash before the EIN's suffix is the accepted NN-NNNNNNN-XX form (issue 9 item 11).
        assert normalize_ior(mutated) == (canonical, kind)
        return
    assert refusal(normalize_ior, mutated).code == "invalid_ior"


@PROPERTY
@given(ior=canonical_iors, data=st.data())
def test_ior_with_a_character_deleted_is_refused(ior, data):
    canonical, kind = ior
    position = data.draw(st.integers(0, len(canonical) - 1), label="position")
    mutated = canonical[:position] + canonical[position + 1 :]
    if kind is IorKind.EIN and canonical[position] == "-" and not canonical[-2:].isdigit():
        # Dropping the EIN's dash leaves the accepted undashed form (unambiguous thanks to the letter).
        assert normalize_ior(mutated) == (canonical, kind)
    else:
        assert refusal(normalize_ior, mutated).code == "invalid_ior"


@PROPERTY
@given(ior=canonical_iors, data=st.data())
def test_ior_with_a_letter_in_a_digit_position_is_refused(ior, data):
    canonical, kind = ior
    # An EIN's last two characters are an alphanumeric suffix, so a letter there is legitimate.
    last = 10 if kind is IorKind.EIN else len(canonical)
    positions = [i for i, char in enumerate(canonical[:last]) if char in DIGITS]
    position = data.draw(st.sampled_from(positions), label="position")
    letter = data.draw(st.sampled_from(UPPER), label="letter")
    mutated = canonical[:position] + letter + canonical[position + 1 :]
    assert refusal(normalize_ior, mutated).code == "invalid_ior"


# --- HTS numbers -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "raw",
    ["8471.30.0100", "8471300100", "8471 30 01 00", " 8471.30.01.00 ", "8471.300100"],
    ids=["dotted", "compact", "spaced", "dotted-suffix-split", "partly-dotted"],
)
def test_hts_normalises(raw):
    assert normalize_hts(raw) == "8471300100"
    assert format_hts(raw) == "8471.30.0100"
    assert hts_chapter(raw) == "84"
    assert hts_heading(raw) == "8471"


@pytest.mark.parametrize(
    ("raw", "chapter"),
    [("0101.21.0010", "01"), ("9903.88.0300", "99"), ("7601.10.6000", "76"), ("7801.10.0000", "78")],
    ids=["chapter-01", "chapter-99", "chapter-76", "chapter-78"],
)
def test_hts_chapter_edges_accepted(raw, chapter):
    assert hts_chapter(raw) == chapter


@pytest.mark.parametrize(
    ("raw", "fragments"),
    [
        ("", ["empty"]),
        ("8471.30.01", ["expected 10 digits", "found 8 digits", "statistical suffix"]),
        ("101.21.0010", ["found 9 digits", "leading 0"]),
        ("8471.30.01000", ["found 11 digits"]),
        ("847130", ["found 6 digits"]),
        ("8471.3O.0100", ["'O' is not a digit"]),
        ("8471-30-0100", ["'-' is not a digit"]),
        ("8471.30.０100", ["is not a digit"]),
        ("0071.30.0100", ["chapter 00 does not exist"]),
        ("7701.10.0000", ["chapter 77 is reserved", "Harmonized System"]),
    ],
    ids=[
        "empty",
        "eight-digits",
        "nine-digits",
        "eleven-digits",
        "six-digits",
        "letter-o",
        "dashes",
        "fullwidth-digit",
        "chapter-00",
        "chapter-77",
    ],
)
def test_hts_refused_with_specific_message(raw, fragments):
    error = refusal(normalize_hts, raw)
    assert error.code == "invalid_hts"
    for fragment in fragments:
        assert fragment in message(error)
    if raw:
        assert raw in message(error)


def test_hts_refuses_non_text():
    error = refusal(normalize_hts, 101210010)
    assert error.code == "invalid_hts"
    assert "leading zeros" in message(error)


@pytest.mark.parametrize("accessor", [hts_chapter, hts_heading], ids=["chapter", "heading"])
def test_hts_parts_refuse_invalid(accessor):
    assert refusal(accessor, "7701100000").code == "invalid_hts"


def test_format_hts_leaves_invalid_value_unchanged():
    assert format_hts("8471.30") == "8471.30"


# --- HTS numbers: properties -----------------------------------------------------------------------

hts_numbers = st.builds(
    lambda chapter, rest: f"{chapter:02d}{rest}",
    st.integers(1, 99).filter(lambda chapter: chapter != 77),
    st.text(alphabet=DIGITS, min_size=8, max_size=8),
)


@PROPERTY
@given(hts=hts_numbers)
def test_hts_round_trips(hts):
    formatted = format_hts(hts)
    assert formatted == f"{hts[:4]}.{hts[4:6]}.{hts[6:]}"
    assert normalize_hts(formatted) == hts
    assert normalize_hts(hts) == hts
    assert hts_chapter(formatted) == hts[:2]
    assert hts_heading(formatted) == hts[:4]


@PROPERTY
@given(hts=hts_numbers, data=st.data())
def test_hts_with_a_digit_removed_is_refused(hts, data):
    formatted = format_hts(hts)
    position = data.draw(st.sampled_from([i for i, char in enumerate(formatted) if char in DIGITS]))
    error = refusal(normalize_hts, formatted[:position] + formatted[position + 1 :])
    assert error.code == "invalid_hts"
    assert "found 9 digits" in message(error)


@PROPERTY
@given(hts=hts_numbers, data=st.data())
def test_hts_with_a_digit_added_is_refused(hts, data):
    formatted = format_hts(hts)
    position = data.draw(st.integers(0, len(formatted)), label="position")
    digit = data.draw(st.sampled_from(DIGITS), label="digit")
    error = refusal(normalize_hts, formatted[:position] + digit + formatted[position:])
    assert error.code == "invalid_hts"
    assert "found 11 digits" in message(error)


# --- Django validators -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("validator", "good", "bad", "code"),
    [
        (validate_entry_number, "ABC-1234567-6", "ABC-1234567-5", "invalid_entry_number"),
        (validate_ior, "12-3456789AB", "123456789", "invalid_ior"),
        (validate_hts, "8471.30.0100", "7701.10.0000", "invalid_hts"),
    ],
    ids=["entry-number", "ior", "hts"],
)
def test_validators(validator, good, bad, code):
    assert validator(good) is None
    with pytest.raises(ValidationError) as excinfo:
        validator(bad)
    assert excinfo.value.code == code
