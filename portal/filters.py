"""What every list's filter shares (django-filter): bad input is a message, never a 500.

A filter value that does not parse (``?date_from=abc``, an unknown status) is
left out of the query and reported next to the form in the user's language;
the rest of the filters still apply.
"""

import django_filters
from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .forms import PortalFormMixin


class PortalFilterForm(PortalFormMixin, forms.Form):
    pass


class PortalFilterSet(django_filters.FilterSet):
    """A FilterSet whose problems are messages and whose form renders with the portal's look."""

    class Meta:
        form = PortalFilterForm

    @property
    def problems(self) -> list[str]:
        """One sentence per unusable filter value, naming the filter."""
        if not self.is_bound:
            return []
        found = []
        for name, errors in self.form.errors.items():
            label = self.form.fields[name].label if name in self.form.fields else name
            for error in errors:
                found.append(
                    _("%(filter)s: %(error)s This filter was not applied.")
                    % {"filter": label, "error": error}
                )
        return found

    @property
    def active(self) -> dict:
        """The filter values in force (for exports and jobs that repeat the search)."""
        if not self.is_bound:
            return {}
        self.is_valid()  # validates the form; invalid values are left out below
        return {
            name: self.data.get(name)
            for name, value in self.form.cleaned_data.items()
            if value not in (None, "", [])
        }


def _date_filter(field_name: str, bound: str, label):
    lookup = ("date__" if field_name.endswith("_at") else "") + bound
    return django_filters.DateFilter(
        field_name=field_name,
        lookup_expr=lookup,
        label=label,
        widget=forms.DateInput(attrs={"type": "date"}),
    )


def date_from_filter(field_name: str, label=None):
    """From this day on (the date part of ``field_name``)."""
    return _date_filter(field_name, "gte", label or gettext_lazy("Date from"))


def date_to_filter(field_name: str, label=None):
    """Up to and including this day."""
    return _date_filter(field_name, "lte", label or gettext_lazy("to"))
