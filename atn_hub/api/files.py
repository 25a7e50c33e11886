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

blp = Blueprint("training_material_files", "training_material_files",
                url_prefix="/api/v1/training-materials/<uuid:material_id>/files",
                description="Files of training materials: brochures, slide decks, course texts. Their text is "
                            "extracted in the background and searchable with the material.")


@blp.route("")
class Files(MethodView):
    accepts_uploads = True  # multipart bodies up to the upload limit (see create_app)

    @access(blp, ANYONE)
    @blp.response(200, FileSchema(many=True))
    def get(self, material_id: uuid.UUID):
        """List a training material's files"""
        return files.list_files(session(), current_principal(), material_id)

    @access(blp, "write")
    @searchable_write(blp)
    @blp.arguments(UploadSchema, location="files")
    @blp.response(201, FileSchema)
    @blp.alt_response(413, description="Larger than the upload limit", schema=ProblemSchema,
                      content_type=PROBLEM_JSON)
    @blp.alt_response(415, description="Not an accepted type", schema=ProblemSchema, content_type=PROBLEM_JSON)
    def post(self, data, material_id: uuid.UUID):
        """Attach a file (multipart/form-data, field 'file')

        PDF, DOCX, ODT, PPTX, plain text, Markdown, or an image (PNG, JPEG, GIF, WebP), decided by the
        content, at most ATN_MAX_UPLOAD_BYTES (50 MB by default); a file that starts like one type but does not
        open as it (an HTML page with %PDF- near its top) is refused with 415. Its name ends with its type's
        extension. Its text is extracted in the background (text_status) and then found by search. The
        material's society attaches files to drafts, materials with changes requested, and published ones: on a
        published material the file is part of its pending revision (pending_change: added), reviewed like any
        edit, and served to the network only once the revision is approved.
        """
        upload = data["file"]
        nodes = node_files()
        return files.upload(session(), current_principal(), nodes.store, nodes.settings, material_id,
                            upload.stream, upload.filename)


@blp.route("/<uuid:file_id>")
class File(MethodView):
    @access(blp, ANYONE)
    @blp.response(200, description="The file's bytes (its own Content-Type)")
    @blp.doc(responses={
        "200": {"description": "The file's bytes (its own Content-Type)", "content": BINARY},
        "206": {"description": "The requested range (Content-Range)", "content": BINARY},
        "304": {"description": "Not modified (If-None-Match)"},
        "416": {"description": "The range is outside the file"}})
    def get(self, material_id: uuid.UUID, file_id: uuid.UUID):
        """Download a file

        With its Content-Type, Content-Disposition (the file name), ETag (its SHA-256); supports Range and
        If-None-Match.
        """
        found = files.get_file(session(), current_principal(), material_id, file_id)
        store = node_files().store
        path = store.local_path(found.sha256)
        response = send_file(path, mimetype=found.content_type, as_attachment=True, download_name=found.filename,
                             etag=found.sha256, conditional=True, max_age=0)
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.call_on_close(lambda: store.release(path))
        return response

    @access(blp, "write")
    @searchable_write(blp)
    @blp.response(204)
    def delete(self, material_id: uuid.UUID, file_id: uuid.UUID):
        """Remove a file (the material's society)

        From a published material the removal is part of its pending revision (pending_change: removed): the
        file stays served until the revision is approved. A file the pending revision added goes at once.
        """
        files.delete_file(session(), current_principal(), material_id, file_id)
