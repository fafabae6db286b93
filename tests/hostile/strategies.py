"""Hostile values for every kind of field the entry points take (issue 15 item 3).

Each strategy mixes values that must be accepted (a real entry of the account, typed with or without
dashes, a valid date, an amount in range) with values that must be refused whole: other accounts'
numbers, impossible dates, amounts past the column's digits, NaN and infinities, control characters,
markup, non-ASCII digits and very long strings. Lone surrogates are kept for JSON bodies only: a
browser cannot send them in a form, but a JSON "\\ud800" escape can.
"""

from hypothesis import strategies as st

# Values worth trying in any text field (the feed's hostile list, docs/entry_feed.md, has the same idea).
NASTY = [
    "",
    " ",
    "\x00",
    "a\x00b",
    "\x1b[2J",
    "\r\n",
    "\t",
    "١٢٣",  # Arabic-Indic digits: str.isdigit() says yes, the law's numbers say no
    "１２３",  # full-width digits
    "1_000",
    "1e3",
    "-1",
    "NaN",
    "Infinity",
    "null",
    "true",
    "0x1F",
    "=1+1",
    "<script>alert(1)</script>",
    "<b onmouseover=alert(1)>x</b>",
    "' OR 1=1 --",
    "../../etc/passwd",
    "%00",
    "\u202eevil",  # right-to-left override
    "x" * 201,
    "y" * 25_000,
]

SURROGATES = ["\ud800", "a\udce9b"]

# Text a browser can send (no lone surrogates), markup and control characters included.
typed_text = st.text(st.characters(blacklist_categories=("Cs",)), max_size=60)
any_text = st.one_of(st.sampled_from(NASTY), typed_text)

BAD_DATES = [
    "2026-02-30",
    "2026-13-01",
    "0000-01-01",
    "10000-01-01",
    "99999-12-31",
    "1899-12-31",
    "2200-01-01",
    "20260115",
    "2026-W03-4",
    "01/15/2026",
    "15.01.2026",
    "2026-01-15T00:00:00",
    "yesterday",
]


def dates_text():
    """Dates as typed: any calendar date from year 1 to 9999, in ISO and other spellings, and nonsense."""
    iso = st.dates().map(lambda d: d.isoformat())
    return st.one_of(iso, st.sampled_from(BAD_DATES), any_text)


def amounts_text():
    """Amounts as typed: in range, past 14 digits, negative, exponents, NaN, infinities, separators."""
    plain = st.decimals(
        allow_nan=False, allow_infinity=False, places=2, min_value=-(10**15), max_value=10**15
    )
    return st.one_of(
        plain.map(str),
        st.sampled_from(
            [
                "1e400",
                "-1e400",
                "1E-400",
                "NaN",
                "sNaN",
                "Infinity",
                "-Infinity",
                "1,000.00",
                "$5",
                "0.001",
                "99999999999999.99",
                "999999999999.99",
                "1000000000000.00",
                "-0.00",
                "0",
            ]
        ),  # fmt: skip
        any_text,
    )


def numbers_like(valid: list[str]):
    """Identifiers (entry numbers, IORs, HTS numbers): the valid ones in several spellings, and others."""
    spellings = st.sampled_from(valid).flatmap(
        lambda v: st.sampled_from([v, v.replace("-", ""), v.lower(), f" {v} ", v.replace("-", " "), v + "0"])
    )
    digits = st.text(st.sampled_from("0123456789-. ABCxyz"), min_size=0, max_size=24)
    return st.one_of(spellings, digits, any_text)


# JSON values of every type, for "wrong JSON type" probes.
json_scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=False, allow_infinity=False),
    st.sampled_from(NASTY + SURROGATES),
    typed_text,
)
json_values = st.recursive(
    json_scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=3), st.dictionaries(st.text(max_size=8), inner, max_size=3)
    ),
    max_leaves=6,
)
