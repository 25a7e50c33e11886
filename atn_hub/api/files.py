import uuid

from flask import send_file
from flask.views import MethodView

from schemas.common import ProblemSchema
from schemas.files import FileSchema, UploadSchema

from ..access import ANYONE, access
from ..errors import PROBLEM_JSON
from ..extensions import node_files
from ..files.content import ACCEPTED
from ..oauth.protector import current_principal
from ..services import files
from .common import searchable_write, session
from .paging import Blueprint

BINARY = {content_type: {"schema": {"type": "string", "format": "binary"}} for content_type in ACCEPTED}



def files_blueprint(kind: str, record_type: str, label: str, param: str, what: str) -> Blueprint:
    """The files of one record type at ``/api/v1/{kind}/{<param>}/files`` (``param``: the path parameter's
    name, kept as partners' generated clients know it)."""
    blp = Blueprint(f"{record_type.replace('-', '_')}_files", f"{record_type}_files",
                    url_prefix=f"/api/v1/{kind}/<uuid:{param}>/files",
                    description=f"Files of {label}s: {what}. Their text is extracted in the background and "
                                f"searchable with the {label}.")

    @blp.route("")
    class Files(MethodView):
        accepts_uploads = True  # multipart bodies up to the upload limit (see create_app)

        @access(blp, ANYONE)
        @blp.response(200, FileSchema(many=True))
        def get(self, **ids: uuid.UUID):
            return files.list_files(session(), current_principal(), record_type, ids[param])

        @access(blp, "write")
        @searchable_write(blp)
        @blp.arguments(UploadSchema, location="files")
        @blp.response(201, FileSchema)
        @blp.alt_response(413, description="Larger than the upload limit", schema=ProblemSchema,
                          content_type=PROBLEM_JSON)
        @blp.alt_response(415, description="Not an accepted type", schema=ProblemSchema,
                          content_type=PROBLEM_JSON)
        def post(self, data, **ids: uuid.UUID):
            upload = data["file"]
            nodes = node_files()
            return files.upload(session(), current_principal(), nodes.store, nodes.settings, record_type,
                                ids[param], upload.stream, upload.filename)

        post.__doc__ = f"""Attach a file (multipart/form-data, field 'file')

        PDF, DOCX, ODT, PPTX, plain text, Markdown, or an image (PNG, JPEG, GIF, WebP), decided by the
        content, at most ATN_MAX_UPLOAD_BYTES (50 MB by default); a file that starts like one type but does not
        open as it (an HTML page with %PDF- near its top) is refused with 415. Its name ends with its type's
        extension. Its text is extracted in the background (text_status) and then found by search. The
        {label}'s society attaches files to drafts, {label}s with changes requested, and published ones: on a
        published {label} the file is part of its pending revision (pending_change: added), reviewed like any
        edit, and served to the network only once the revision is approved.
        """

    @blp.route("/<uuid:file_id>")
    class File(MethodView):
        @access(blp, ANYONE)
        @blp.response(200, description="The file's bytes (its own Content-Type)")
        @blp.doc(responses={
            "200": {"description": "The file's bytes (its own Content-Type)", "content": BINARY},
            "206": {"description": "The requested range (Content-Range)", "content": BINARY},
            "304": {"description": "Not modified (If-None-Match)"},
            "416": {"description": "The range is outside the file"}})
        def get(self, file_id: uuid.UUID, **ids: uuid.UUID):
            """Download a file

            With its Content-Type, Content-Disposition (the file name), ETag (its SHA-256); supports Range and
            If-None-Match.
            """
            found = files.get_file(session(), current_principal(), record_type, ids[param], file_id)
            store = node_files().store
            path = store.local_path(found.sha256)
            response = send_file(path, mimetype=found.content_type, as_attachment=True,
                                 download_name=found.filename, etag=found.sha256, conditional=True, max_age=0)
            response.headers["X-Content-Type-Options"] = "nosniff"
            response.call_on_close(lambda: store.release(path))
            return response

        @access(blp, "write")
        @searchable_write(blp)
        @blp.response(204)
        def delete(self, file_id: uuid.UUID, **ids: uuid.UUID):
            files.delete_file(session(), current_principal(), record_type, ids[param], file_id)

        delete.__doc__ = f"""Remove a file (the {label}'s society)

        From a published {label} the removal is part of its pending revision (pending_change: removed): the
        file stays served until the revision is approved. A file the pending revision added goes at once.
        """

    return blp


material_files = files_blueprint("training-materials", "training-material", "training material", "material_id",
                                 "brochures, slide decks, course texts")
practice_files = files_blueprint("practices", "practice", "practice", "record_id",
                                 "evaluation reports, brochures, protocols")
project_files = files_blueprint("projects", "project", "project", "record_id",
                                "project descriptions, reports, leaflets")
