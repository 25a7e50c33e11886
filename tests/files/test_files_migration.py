"""The migration to pending files: names stored before the extension rule are served by it from then on, and
going back down drops the files that were never approved (without the column they would be served to all)."""
from __future__ import annotations

import uuid

from alembic import command
from sqlalchemy import create_engine, text

from atn_hub.cli.database import alembic_config, upgrade

SOCIETY = text("INSERT INTO society (id, code, name, name_local, languages, created_at, updated_at, version) "
               "VALUES (:id, 'NL', 'Netherlands Red Cross', 'Rode Kruis', '[\"nl\"]', :at, :at, 1)")
MATERIAL = text("INSERT INTO training_material (id, title, description, format, languages, status, visibility, "
                "topics, society_id, created_at, updated_at, version) VALUES (:id, 'Brochure', '', 'pdf', "
                "'[\"nl\"]', 'published', 'public', '[]', :society, :at, :at, 1)")
INSERT = text("INSERT INTO material_file (id, material_id, filename, content_type, size, sha256, text_status, "
              "created_at) VALUES (:id, :material, :name, :type, 1, :sha, 'none', '2026-12-01 00:00:00')")


def test_names_stored_before_the_rule_end_with_their_types_extension_after_the_upgrade(tmp_path):
    url = f"sqlite:///{tmp_path / 'm.db'}"
    upgrade(url, "0007")
    engine = create_engine(url)
    stored = {"brochure.pdf.hta": "application/pdf", "setup.js": "text/plain", "photo.jpeg": "image/jpeg"}
    society, material, at = uuid.uuid4().hex, uuid.uuid4().hex, "2026-12-01 00:00:00"
    with engine.begin() as conn:
        conn.execute(SOCIETY, {"id": society, "at": at})
        conn.execute(MATERIAL, {"id": material, "society": society, "at": at})
        for name, content_type in stored.items():
            conn.execute(INSERT, {"id": uuid.uuid4().hex, "material": material, "name": name, "type": content_type,
                                  "sha": "0" * 64})
    upgrade(url)
    with engine.connect() as conn:
        names = set(conn.scalars(text("SELECT filename FROM material_file")))
    assert names == {"brochure.pdf", "setup.txt", "photo.jpeg"}

    with engine.begin() as conn:
        conn.execute(text("UPDATE material_file SET pending_change = 'added' WHERE filename = 'setup.txt'"))
        conn.execute(text("UPDATE material_file SET pending_change = 'removed' WHERE filename = 'photo.jpeg'"))
    command.downgrade(alembic_config(url), "0007")
    with engine.connect() as conn:
        assert set(conn.scalars(text("SELECT filename FROM material_file"))) == {"brochure.pdf", "photo.jpeg"}
    engine.dispose()
