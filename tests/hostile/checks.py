"""What every hostile probe asserts: no server error, nothing half-written, a refusal beside its field."""

from contextlib import contextmanager

from django.apps import apps
from django.db import transaction
from django.forms import BaseForm, BaseFormSet
from hypothesis import HealthCheck, settings

# Derandomized with a fixed budget: CI replays the same examples on every run (a failure is a
# reproducible regression, never a flaky build); `--hypothesis-seed=random` explores new ones locally.
HOSTILE = settings(
    derandomize=True,
    max_examples=20,
    deadline=None,
    database=None,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
    ],
)

# The tables a filing, an action, a document or a message writes to (the audit of sign-ins and the
# sessions are not case data).
APPS = ("cases", "operations")


def row_counts() -> dict[str, int]:
    return {
        model._meta.label: model._default_manager.count()
        for app in APPS
        for model in apps.get_app_config(app).get_models()
    }


@contextmanager
def rolled_back():
    """One example's writes, undone afterwards: the next example starts from the same rows."""
    with transaction.atomic():
        yield
        transaction.set_rollback(True)


def _form_errors(form, found: set[str]) -> None:
    for name, errors in form.errors.items():
        if errors:
            found.add(form.add_prefix(name) if name != "__all__" else f"{form.prefix or ''}__all__")


def error_places(response) -> set[str]:
    """Where a refused page put its messages: posted field names, `<prefix>-__all__` of a formset, a
    section name (a list shown beside a formset), or `__all__` for the form as a whole."""
    found: set[str] = set()
    context = response.context
    if context is None:
        return found
    flat = {}
    for one in context if isinstance(context, list) else [context]:
        flat.update(one.flatten())
    # The staff case page lists its forms as (action, form) pairs.
    pairs = [(key, v) for key, value in flat.items() if isinstance(value, list | tuple) for v in value]
    items = list(flat.items()) + [(key, v) for key, pair in pairs if isinstance(pair, tuple) for v in pair]
    for key, value in items:
        if isinstance(value, BaseFormSet):
            if value.is_bound:
                if value.non_form_errors():
                    found.add(f"{value.prefix}-__all__")
                for form in value.forms:
                    _form_errors(form, found)
        elif isinstance(value, BaseForm) and value.is_bound:
            _form_errors(value, found)
        elif key == "sections" and isinstance(value, dict):
            found |= {name for name, messages in value.items() if messages}
    return found
