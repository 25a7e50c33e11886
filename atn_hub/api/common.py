"""What every blueprint uses: the session, the caller, ETags, and the record blueprint factory."""
from __future__ import annotations

import copy
import uuid

from flask import current_app, g, request
from flask.views import MethodView
from flask_smorest.exceptions import PreconditionRequired
from marshmallow import missing
from werkzeug.exceptions import PreconditionFailed

from schemas.common import DEFAULT_MAX_PAGE_SIZE, EraseArgsSchema, PageSize, ReaderArgsSchema, normalise_language
from schemas.workflow import (
    CommentCreateSchema,
    ReviewCommentSchema,
    ReviewSchema,
    RevisionDetailSchema,
    RevisionDiffArgsSchema,
    RevisionDiffSchema,
    RevisionSchema,
)

from ..access import ANYONE, SIGNED_IN, access
from ..errors import Invalid, NothingToMatch, StaleCopy
from ..extensions import get_db
from ..i18n import parse_accept_language
from ..oauth.protector import current_principal
from ..services import revisions, translations, workflow
from ..services.records import RecordService
from .locations import HEADER as LOCATION_HEADER
from .paging import Blueprint


def paginate(blp):
    """``blp.paginate`` whose page size goes up to the app's ATN_MAX_PAGE_SIZE (flask-smorest fixes the largest
    page when the view is declared; this reads it per request, see ``schemas.common.PageSize``)."""
    declare = blp.paginate(max_page_size=DEFAULT_MAX_PAGE_SIZE)

    def decorator(func):
        view = declare(func)
        view._apidoc["pagination"]["parameters"]["schema"]._declared_fields["page_size"].validators = [PageSize()]
        return view

    return decorator


def session():
    return get_db().session


def etag_of(obj) -> dict:
    """A record's entity tag: its identity and version (bumped by every update), and the version of its
    pending revision where the caller sees one (edits of a published record go there)."""
    key = getattr(obj, "id", None) or getattr(obj, "code", None)
    pending = getattr(obj, "pending", None)
    return {"id": str(key), "version": obj.version, "pending": pending.version if pending else None}


def record_etag(view) -> dict:
    """A record response's entity tag: its version (``etag_of``) and the language its ``display`` is in, so
    that each language's response is its own variant (``Vary: Accept-Language``: a cache never takes one
    language's copy for another's)."""
    return {**etag_of(view), "language": view.display.get("language")}


def check_record_etag(blp: Blueprint, view) -> None:
    """If-Match holds the record's current version as a response in any language showed it (the language a
    client read the record in does not matter to a write); 412 otherwise, naming the current ETag (also for
    ``If-Match: *``: a record's write always proves which version it changes); 428 without If-Match."""
    base = etag_of(view)
    if request.if_match.star_tag:
        blp.check_etag(base)  # passes (a star matches anything), and marks the ETag checked; refused below
    else:
        variants = [None, *((view.translations or {}).keys()), *display_languages(view)]
        for language in dict.fromkeys(variants):
            try:
                blp.check_etag({**base, "language": language})
                return
            except PreconditionFailed:
                continue
    raise StaleCopy(blp._generate_etag(record_etag(view)))  # the ETag a GET in the reader's language shows


def display_languages(view) -> list[str]:
    record = view.record
    own = getattr(record, "language", None) or next(iter(getattr(record, "languages", None) or []), None)
    return [own] if own else []


def reader_languages() -> list[str]:
    """The reader's languages, best first: ``?lang=``, else Accept-Language by quality (q=0: not wanted)."""
    lang = request.args.get("lang")
    if lang is not None:
        code = normalise_language(lang)
        if code is None:
            raise Invalid("lang", f"'{lang}' is not an ISO 639-1 language code.", location="query")
        return [code]
    languages: list[str] = []
    for value in parse_accept_language(request.headers.get("Accept-Language")):
        code = normalise_language(value)
        if code and code not in languages:
            languages.append(code)
    return languages


def in_reader_language(blp: Blueprint) -> None:
    """The blueprint's requests know the reader's languages (records' ``display``, search hits)."""

    @blp.before_request
    def _reader():
        g.reader_tokens = translations.set_reader(reader_languages(),
                                                  current_app.config["ATN_SETTINGS"].working_language)

    @blp.teardown_request
    def _forget(exc):
        tokens = g.pop("reader_tokens", None)
        if tokens is not None:
            translations.reset_reader(tokens)


def language_headers(view) -> dict[str, str]:
    """A single record's response: the language its ``display`` is in, and that Accept-Language decided it."""
    headers = {"Vary": "Accept-Language"}
    language = view.display.get("language")
    if language:
        headers["Content-Language"] = language
    return headers


def searchable_write(blp):
    """Documents ``?refresh=wait_for`` on a write (the app honours it for every write, see create_app): the
    document's plugin (``atn_hub.openapi``) adds the parameter beside the others the view declares."""
    return blp.doc(**{"x-refresh": True})


LANGUAGE_HEADERS = {
    "Content-Language": {"description": "The language of the record's display", "schema": {"type": "string"}},
    "Vary": {"description": "Accept-Language: the reader's languages decide the display",
             "schema": {"type": "string"}},
}


def replacement_schema(create_schema):
    """The create body as a PUT's full replacement: the same fields and defaults, except that translations
    omitted stay as they are (no default), so that the service can tell them from translations sent empty."""
    declared = create_schema._declared_fields.get("translations")
    if declared is None:
        return create_schema
    kept = copy.copy(declared)
    kept.load_default = missing
    name = create_schema.__name__.removesuffix("CreateSchema") + "ReplaceSchema"
    return type(name, (create_schema,), {"translations": kept, "__doc__": create_schema.__doc__})


IF_MATCH = {"in": "header", "name": "If-Match", "required": False, "schema": {"type": "string"},
            "description": "The ETag of your copy: required when the record exists (428 without, 412 when stale "
                           "or *); left out to create it (412 when sent and there is no such record)"}


def record_blueprint(*, name: str, url: str, service: RecordService, description: str, schema, create_schema,
                     update_schema, list_args_schema) -> Blueprint:
    """The list/get/create/update/delete resource of one record type (practices, contacts, training
    materials): identical rules, so one definition."""
    blp = Blueprint(name, name, url_prefix=f"/api/v1/{url}", description=description)
    label = service.model.record_type.replace("-", " ")
    in_reader_language(blp)

    @blp.route("")
    class Collection(MethodView):
        @access(blp, ANYONE)
        @blp.etag
        @blp.arguments(list_args_schema, location="query")
        @blp.response(200, schema(many=True))
        @paginate(blp)
        def get(self, args, pagination_parameters):
            page = service.list(session(), current_principal(), args, pagination_parameters.page,
                                pagination_parameters.page_size)
            pagination_parameters.item_count = page.total
            return page.items

        @access(blp, "write")
        @searchable_write(blp)
        @blp.etag
        @blp.arguments(create_schema)
        @blp.response(201, schema)
        def post(self, data):
            view = service.create(session(), current_principal(), data)
            blp.set_etag(record_etag(view))
            return view, language_headers(view)

    @blp.route("/<uuid:record_id>")
    class Item(MethodView):
        @access(blp, ANYONE)
        @blp.etag
        @blp.arguments(ReaderArgsSchema, location="query")
        @blp.response(200, schema, headers=LANGUAGE_HEADERS)
        def get(self, _args, record_id: uuid.UUID):
            view = service.get(session(), current_principal(), record_id)
            blp.set_etag(record_etag(view))
            return view, language_headers(view)

        @access(blp, "write")
        @searchable_write(blp)
        @blp.etag
        @blp.arguments(update_schema)
        @blp.response(200, schema)
        def patch(self, data, record_id: uuid.UUID):
            principal = current_principal()
            current = service.get_for_update(session(), principal, record_id)
            check_record_etag(blp, current)
            view = service.update(session(), principal, current.record, data)
            blp.set_etag(record_etag(view))
            return view, language_headers(view)

        if service.personal_fields:
            @access(blp, "write")
            @searchable_write(blp)
            @blp.arguments(EraseArgsSchema, location="query")
            @blp.response(204)
            def delete(self, args, record_id: uuid.UUID):
                service.delete(session(), current_principal(), record_id, erase=args["erase"])
        else:
            @access(blp, "write")
            @searchable_write(blp)
            @blp.response(204)
            def delete(self, record_id: uuid.UUID):
                service.delete(session(), current_principal(), record_id)

    @blp.route("/by-external-id/<string:external_id>")
    class ByExternalId(MethodView):
        @access(blp, "write")
        @blp.doc(parameters=[IF_MATCH], **{"x-refresh": True})  # refresh: added by the document's plugin
        @blp.arguments(replacement_schema(create_schema))
        @blp.response(200, schema, headers=LANGUAGE_HEADERS)
        @blp.alt_response(201, schema=schema, headers=LOCATION_HEADER, success=True,
                          description="Created: the society had no record with this external id")
        @blp.alt_response(412, response="PRECONDITION_FAILED")
        @blp.alt_response(428, response="PRECONDITION_REQUIRED")
        def put(self, data, external_id: str):
            view, created = service.put_by_external_id(session(), current_principal(), external_id, data,
                                                       create_schema().fields, check_version=if_match_current)
            headers = {**language_headers(view), "ETag": f'"{blp._generate_etag(record_etag(view))}"'}
            if created:
                return view, 201, {**headers, "Location": f"{request.host_url.rstrip('/')}{url_of(view)}"}
            return view, headers

    def if_match_current(view) -> None:
        if view is None:
            if request.if_match:
                raise NothingToMatch(f"The society has no {label} with this external id, so If-Match matches "
                                     f"nothing: send the request without If-Match to create it.")
            return
        if not request.if_match:
            raise PreconditionRequired
        check_record_etag(blp, view)

    def url_of(view) -> str:
        return f"/api/v1/{url}/{view.id}"

    @blp.route("/<uuid:record_id>/submit")
    class Submit(MethodView):
        @access(blp, "write")
        @searchable_write(blp)
        @blp.response(200, schema)
        def post(self, record_id: uuid.UUID):
            view = workflow.submit(session(), current_principal(), service, record_id)
            blp.set_etag(record_etag(view))
            return view, language_headers(view)

    @blp.route("/<uuid:record_id>/review")
    class Review(MethodView):
        @access(blp, "moderate")
        @searchable_write(blp)
        @blp.arguments(ReviewSchema)
        @blp.response(200, schema)
        def post(self, data, record_id: uuid.UUID):
            view = workflow.review(session(), current_principal(), service, record_id, data["decision"],
                                   data.get("comment"))
            blp.set_etag(record_etag(view))
            return view, language_headers(view)

    @blp.route("/<uuid:record_id>/comments")
    class Comments(MethodView):
        @access(blp, "read")
        @blp.response(200, ReviewCommentSchema(many=True))
        def get(self, record_id: uuid.UUID):
            return workflow.comments(session(), current_principal(), service, record_id)

        @access(blp, "read")
        @blp.arguments(CommentCreateSchema)
        @blp.response(201, ReviewCommentSchema)
        def post(self, data, record_id: uuid.UUID):
            return workflow.add_comment(session(), current_principal(), service, record_id, data["comment"])

    @blp.route("/<uuid:record_id>/revisions")
    class Revisions(MethodView):
        @access(blp, "read")
        @blp.response(200, RevisionSchema(many=True))
        def get(self, record_id: uuid.UUID):
            principal = current_principal()
            return revisions.history(session(), principal, service.get_record(session(), principal, record_id))

    @blp.route("/<uuid:record_id>/revisions/<int:number>")
    class OneRevision(MethodView):
        @access(blp, "read")
        @blp.response(200, RevisionDetailSchema)
        def get(self, record_id: uuid.UUID, number: int):
            principal = current_principal()
            return revisions.one(session(), principal, service.get_record(session(), principal, record_id),
                                 number)

    @blp.route("/<uuid:record_id>/revisions/diff")
    class Diff(MethodView):
        @access(blp, "read")
        @blp.arguments(RevisionDiffArgsSchema, location="query")
        @blp.response(200, RevisionDiffSchema)
        def get(self, args, record_id: uuid.UUID):
            principal = current_principal()
            record = service.get_record(session(), principal, record_id)
            return {"first": args["first"], "second": args["second"],
                    "changes": revisions.compare(session(), principal, record, args["first"], args["second"])}

    def archive_view(action: str, archived: bool):
        @blp.route(f"/<uuid:record_id>/{action}", endpoint=action)
        class Archive(MethodView):
            @access(blp, SIGNED_IN)
            @searchable_write(blp)
            @blp.response(200, schema)
            def post(self, record_id: uuid.UUID):
                view = workflow.set_archived(session(), current_principal(), service, record_id, archived)
                blp.set_etag(record_etag(view))
                return view, language_headers(view)

        Archive.post.__doc__ = (f"Archive a published {label}" if archived
                                else f"Publish an archived {label} again")

    archive_view("archive", True)
    archive_view("unarchive", False)

    Submit.post.__doc__ = f"Submit a {label} for review\n\nBy its own society, from draft or changes requested."
    Review.post.__doc__ = (f"Review a submitted {label} (coordinators)\n\napprove publishes it; request_changes "
                           f"sends it back with a comment; reject ends it with a reason. Two coordinators "
                           f"deciding at once: one wins, the other gets 409.")
    Comments.get.__doc__ = (f"The review discussion of a {label}\n\nCoordinators' decisions with their comments "
                            f"and the society's replies, oldest first (for its society and coordinators).")
    Comments.post.__doc__ = f"Add to the review discussion of a {label} (its society or a coordinator)"
    Revisions.get.__doc__ = (f"The revisions of a {label}\n\nEvery saved version, oldest first: who changed "
                             f"which fields, when, through which client (its society and coordinators).")
    OneRevision.get.__doc__ = f"One revision of a {label}, with its content and its changes"
    Diff.get.__doc__ = f"Field-level diff between two revisions of a {label}"

    Collection.get.__doc__ = f"List {label}s\n\nOnly what the caller may see, newest change first by default."
    Collection.post.__doc__ = f"Create a {label}\n\nA new record is a draft of the caller's society."
    ByExternalId.put.__doc__ = (
        f"Create or replace a {label} by its external id (a partner's sync)\n\nThe caller's society's "
        f"{label} with this external_id (callers without a society name it in the body): created when there is "
        f"none (201, Location; send no If-Match); else replaced by the body, with its ETag in If-Match (428 "
        f"without, 412 when stale). The body is the whole record, as for a create: a field left out goes back to "
        f"its default, except translations, kept unless sent. A published record's changes go to its pending "
        f"revision.")
    Item.get.__doc__ = f"Get a {label}"
    Item.patch.__doc__ = (f"Update a {label}\n\nSend the ETag of your copy in If-Match: a stale one gets 412, "
                          f"none 428. Only drafts and records with changes requested can be edited.")
    Item.delete.__doc__ = (f"Delete a {label}" if not service.personal_fields else
                           f"Delete a {label}\n\nWith erase=true (its society or an administrator), its personal "
                           f"fields are also scrubbed from the change log, the revisions, the search index and "
                           f"webhook logs; a tombstone stays.")
    return blp
