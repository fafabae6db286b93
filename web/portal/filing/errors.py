"""A service's refusal, put beside the fields it names: typed values stay, nothing was written."""

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError


def messages_by_field(exc: ValidationError) -> list[tuple[str | None, str]]:
    """(service field or None, message) for every message of a CaseError."""
    groups = exc.error_dict.items() if hasattr(exc, "error_dict") else [(None, exc.error_list)]
    found = []
    for name, errors in groups:
        for error in errors:
            for message in ValidationError(error).messages:
                found.append((None if name == NON_FIELD_ERRORS else name, message))
    return found


def apply_refusal(exc: ValidationError, form, *, fields=None, sections=None, rows=()) -> None:
    """Add each message to its field (`fields` maps the service's names to the form's), to a section
    (a list shown beside a formset), to the entry row it names, or to the form as a whole."""
    fields, sections = fields or {}, sections or {}
    for name, message in messages_by_field(exc):
        row = next((f for number, f in rows if number and number in message), None)
        if name in fields and fields[name] in form.fields:
            form.add_error(fields[name], message)
        elif row is not None and name in (None, "entries"):
            row.add_error("entry", message)
        elif name in sections:
            sections[name].append(message)
        else:
            form.add_error(None, message)
