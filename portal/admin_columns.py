"""Wagtail listings whose columns show data (names in Chinese, what users typed).

Their cells get ``class="data"``, as the portal's own templates mark data, so a reader's
language can be checked on the admin's own text only (tests/test_english_crawl.py).
"""

from wagtail.admin.ui.tables import Column


class DataColumnsMixin:
    """For a generic index view: the fields named in ``data_columns`` are data."""

    data_columns: tuple = ()

    def _get_custom_column(self, field_name, column_class=Column, **kwargs):
        if field_name in self.data_columns:
            kwargs["classname"] = " ".join(filter(None, (kwargs.get("classname"), "data")))
        return super()._get_custom_column(field_name, column_class, **kwargs)
