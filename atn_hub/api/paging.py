"""Paging the same way on every list and on search: the ``X-Pagination`` header (flask-smorest's fields and
``page_size``) and an RFC 8288 ``Link`` header (``first``, ``prev``, ``next``, ``last``), as GitHub's API has
it: a client follows ``rel="next"`` until there is none."""
from __future__ import annotations

import json
from urllib.parse import urlencode

import flask_smorest
from flask import request
from flask_smorest.pagination import PaginationMetadataSchema
from marshmallow import fields
from webargs.flaskparser import FlaskParser, abort

RELATIONS = ("first", "prev", "next", "last")


def page_url(page: int) -> str:
    """This request's URL with ``page`` set (every other parameter kept, in its order)."""
    args = [(key, value) for key, value in request.args.items(multi=True) if key != "page"]
    return f"{request.base_url}?{urlencode([*args, ('page', page)])}"


def link_header(page: int, total_pages: int) -> str | None:
    """``<...?page=1>; rel="first", ...`` for a page of ``total_pages`` (none when there is no page at all)."""
    if total_pages < 1:
        return None
    pages = {"first": 1, "prev": page - 1 if 1 < page <= total_pages + 1 else None,
             "next": page + 1 if page < total_pages else None, "last": total_pages}
    return ", ".join(f'<{page_url(number)}>; rel="{relation}"' for relation in RELATIONS
                     if (number := pages[relation]) is not None)


def total_pages(total: int, page_size: int) -> int:
    return (total + page_size - 1) // page_size if page_size > 0 else 0


class PagingMetadataSchema(PaginationMetadataSchema):
    page_size = fields.Int(metadata={"description": "Items per page"})


PAGING_HEADERS = {
    "X-Pagination": {"description": "Paging: total, total_pages, page, page_size (lists also first_page, last_page, "
                                    "previous_page, next_page)", "schema": PagingMetadataSchema},
    "Link": {"description": 'RFC 8288 links to the first, prev, next and last pages: '
                            '<https://hub.example/api/v1/practices?page=2>; rel="next"', "schema": {"type": "string"}},
}


class Parser(FlaskParser):
    """webargs' parser, saying where a body stops being JSON."""

    def _handle_invalid_json_error(self, error, req, *args, **kwargs):
        where = (f"line {error.lineno}, column {error.colno}: {error.msg}" if isinstance(error, json.JSONDecodeError)
                 else "it is not UTF-8 text")
        message = f"The body is not valid JSON ({where})."
        abort(400, exc=error, message=message, messages={"json": {"_body": [message]}})


class Blueprint(flask_smorest.Blueprint):
    """flask-smorest's Blueprint whose paginated lists also say their page size and send ``Link``, and whose
    bodies' JSON errors say where."""

    ARGUMENTS_PARSER = Parser()

    @staticmethod
    def _make_pagination_metadata(page, page_size, item_count):
        metadata = flask_smorest.Blueprint._make_pagination_metadata(page, page_size, item_count)
        return {**metadata, "page": page, "page_size": page_size}

    def _set_pagination_metadata(self, page_params, result, headers):
        result, headers = super()._set_pagination_metadata(page_params, result, headers)
        metadata = json.loads(headers[self.PAGINATION_HEADER_NAME])
        link = link_header(page_params.page, metadata["total_pages"])
        if link:
            headers["Link"] = link
        return result, headers

    def _document_pagination_metadata(self, spec, resp_doc):
        resp_doc.setdefault("headers", {}).update(PAGING_HEADERS)
