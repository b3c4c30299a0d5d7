"""The three DRF paginators, each with a page-size cap below what the
connector asks for, and a view mixin that picks one by the URL's `style`
(`page`, `limit`, `cursor`, or `plain` for no pagination)."""
from rest_framework.pagination import CursorPagination, LimitOffsetPagination, PageNumberPagination

MAX_PAGE = 50


class Pages(PageNumberPagination):
    page_size = 20
    page_size_query_param = "page_size"
    max_page_size = MAX_PAGE


class LimitOffset(LimitOffsetPagination):
    default_limit = 20
    max_limit = MAX_PAGE


def cursor_class(field):
    class Cursor(CursorPagination):
        page_size = 20
        page_size_query_param = "page_size"
        max_page_size = MAX_PAGE
        ordering = field

    return Cursor


class StyledPagination:
    """Set `cursor_ordering` on the view; the URL's `style` picks the paginator."""

    cursor_ordering = "id"

    @property
    def paginator(self):
        if not hasattr(self, "_styled_paginator"):
            style = self.kwargs.get("style", "page")
            self._styled_paginator = {
                "page": Pages,
                "limit": LimitOffset,
                "cursor": cursor_class(self.cursor_ordering),
            }.get(style, lambda: None)()
        return self._styled_paginator
