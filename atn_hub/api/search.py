import json

from flask import Response, request
from flask.views import MethodView

from schemas.common import normalise_language
from schemas.search import SearchArgsSchema, SearchResultSchema

from ..access import ANYONE, access
from ..extensions import get_db, node_search
from ..oauth.protector import current_principal
from ..services import search as search_service
from .common import in_reader_language
from .paging import PAGING_HEADERS, Blueprint, link_header

blp = Blueprint("search", "search", url_prefix="/api/v1/search",
                description="Full-text search across practices, contacts, training materials and projects, in every "
                            "language of the network.")
in_reader_language(blp)


def _caller_language() -> str | None:
    best = request.accept_languages.best
    return normalise_language(best) if best and best != "*" else None


@blp.route("")
class Search(MethodView):
    @access(blp, ANYONE)
    @blp.arguments(SearchArgsSchema, location="query")
    @blp.response(200, SearchResultSchema, headers=PAGING_HEADERS)
    @blp.alt_response(200, description="The whole result set as CSV (Accept: text/csv)",
                      content_type="text/csv", schema=None, success=True)
    def get(self, args):
        """Search

        Only what the caller may see is found and counted. A query that cannot be parsed, or that runs into
        one of search's limits (its length, terms or wildcards, a fuzzy term's edits, the index words a fuzzy
        or wildcard term stands for, the time), answers 400 saying which. `Accept: text/csv` exports the whole
        result set.
        """
        base = request.url_root.rstrip("/")
        principal = current_principal()
        wants_csv = request.accept_mimetypes.best_match(["application/json", "text/csv"]) == "text/csv"
        result = search_service.search(node_search().engine, principal, args, _caller_language(), export=wants_csv)
        if wants_csv:
            return Response(search_service.as_csv(result, base, principal, bom=args["bom"]), mimetype="text/csv",
                            headers={"Content-Disposition": 'attachment; filename="atn-hub-search.csv"'})
        body = search_service.as_json(result, args, base, principal, get_db().session)
        paging = {key: body[key] for key in ("total", "total_pages", "page", "page_size")}
        headers = {"X-Pagination": json.dumps(paging)}  # as every list has it
        if link := link_header(body["page"], body["total_pages"]):
            headers["Link"] = link
        return body, headers
