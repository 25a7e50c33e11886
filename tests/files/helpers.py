"""What the file tests do again and again: a record's files URL (a training material's unless ``kind`` says),
an upload, a download, an extraction pass."""
from __future__ import annotations

import io

from werkzeug.datastructures import FileStorage
from werkzeug.test import encode_multipart

from atn_hub.extensions import node_files
from tests.helpers import url


def files_url(record_id, file_id=None, kind="training-materials"):
    return url(kind, record_id) + "/files" + (f"/{file_id}" if file_id else "")


def upload(client, caller, record_id, content: bytes, name: str, kind="training-materials"):
    # Encoded here, in memory: the test client spools large bodies to a temporary file it never closes.
    boundary, body = encode_multipart({"file": FileStorage(io.BytesIO(content), filename=name)})
    return client.post(files_url(record_id, kind=kind), data=body, headers=caller.headers,
                       content_type=f"multipart/form-data; boundary={boundary}")


def fetch(client, path, headers=None):
    """GET a download, closing it as a server would (the test client leaves the file open otherwise)."""
    response = client.get(path, headers=headers or {})
    response.get_data()
    response.close()
    return response


def extract(app) -> int:
    return node_files(app).extract_pending()
