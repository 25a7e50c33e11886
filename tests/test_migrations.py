"""The migrations create exactly what the models describe, on SQLite and PostgreSQL; and they go down and
up again."""
from __future__ import annotations

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine, inspect

from atn_hub.cli.database import alembic_config, upgrade
from atn_hub.db import Base


def _diff(url: str) -> list:
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            context = MigrationContext.configure(conn, opts={"compare_type": True})
            return compare_metadata(context, Base.metadata)
    finally:
        engine.dispose()


def test_migrations_match_the_models(backend):
    _, url = backend  # the session's database was built by `upgrade(url)`
    assert _diff(url) == []


def test_downgrade_and_upgrade_again(tmp_path):
    url = f"sqlite:///{tmp_path / 'm.db'}"
    upgrade(url)
    command.downgrade(alembic_config(url), "base")
    engine = create_engine(url)
    assert set(inspect(engine).get_table_names()) <= {"alembic_version"}
    engine.dispose()
    upgrade(url)
    assert _diff(url) == []


def test_translations_written_before_0009_become_their_authors_and_go_back(tmp_path):
    """0009 marks the practices' translations so far as the authors' own, who and when unknown; going down
    keeps their text."""
    import uuid
    from datetime import UTC, datetime

    import sqlalchemy as sa

    from atn_hub.db import JSONType, UTCDateTime

    url = f"sqlite:///{tmp_path / 'm.db'}"
    config = alembic_config(url)
    command.upgrade(config, "0008")
    json_columns = ("languages", "translations", "countries", "target_groups", "forms_of_exploitation", "areas",
                    "services", "links", "topics")
    society = sa.table("society", *(sa.column(n) for n in ("code", "name", "name_local")),
                       sa.column("id", sa.Uuid()), sa.column("languages", JSONType),
                       sa.column("created_at", UTCDateTime()), sa.column("updated_at", UTCDateTime()),
                       sa.column("version"))
    practice = sa.table("practice", *(sa.column(n) for n in ("title", "summary", "body", "language", "kind",
                                                              "status", "visibility", "version")),
                        *(sa.column(n, JSONType) for n in json_columns if n != "languages"),
                        sa.column("id", sa.Uuid()), sa.column("society_id", sa.Uuid()),
                        sa.column("created_at", UTCDateTime()), sa.column("updated_at", UTCDateTime()))
    now, society_id, practice_id = datetime.now(UTC), uuid.uuid4(), uuid.uuid4()
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(society.insert().values(id=society_id, code="FR", name="French Red Cross",
                                             name_local="Croix-Rouge française", languages=["fr"],
                                             created_at=now, updated_at=now, version=1))
        conn.execute(practice.insert().values(
            id=practice_id, society_id=society_id, title="Soutien", summary="Résumé", body="", language="fr",
            kind="good_practice", status="published", visibility="public", version=1, created_at=now,
            updated_at=now, translations={"en": {"title": "Support", "summary": "Summary"}}, countries=["FR"],
            target_groups=[], forms_of_exploitation=[], areas=[], services=[], links=[], topics=[]))
    engine.dispose()

    upgrade(url)
    engine = create_engine(url)
    with engine.connect() as conn:
        assert conn.scalar(sa.select(practice.c.translations)) == {
            "en": {"title": "Support", "summary": "Summary", "origin": "author", "updated_by": None,
                   "updated_at": None}}
        contact = sa.table("contact", sa.column("translations", JSONType))
        assert conn.execute(sa.select(contact.c.translations)).all() == []
    engine.dispose()

    command.downgrade(config, "0008")
    engine = create_engine(url)
    with engine.connect() as conn:
        assert conn.scalar(sa.select(practice.c.translations)) == {"en": {"title": "Support", "summary": "Summary"}}
        assert "translations" not in {c["name"] for c in inspect(engine).get_columns("contact")}
    engine.dispose()


def filled(table, **given):
    """A row of ``table`` with every required column filled."""
    import uuid
    from datetime import UTC, datetime

    import sqlalchemy as sa

    row = dict(given)
    for column in table.columns:
        if column.name in row or column.nullable:
            continue
        kind = column.type
        row[column.name] = (uuid.uuid4() if isinstance(kind, sa.Uuid) else datetime.now(UTC)
                            if isinstance(kind, sa.DateTime) else [] if isinstance(kind, sa.JSON)
                            else 1 if isinstance(kind, sa.Integer) else "x")
    return table.insert().values(**row)


def test_a_materials_files_and_their_extracted_pages_survive_0014_both_ways(tmp_path):
    """0014 rebuilds material_file on SQLite (to let material_id be null), whose drop would delete every
    extracted page through file_page's ON DELETE CASCADE: the pages are kept."""
    import uuid

    import sqlalchemy as sa

    url = f"sqlite:///{tmp_path / 'm.db'}"
    upgrade(url)
    engine = create_engine(url)
    engine.dispose()

    society_id, material_id, file_id = (uuid.uuid4().hex for _ in range(3))  # as SQLite stores them
    with engine.begin() as conn:
        conn.exec_driver_sql("PRAGMA foreign_keys=ON")
        tables = sa.MetaData()
        tables.reflect(conn)
        conn.execute(filled(tables.tables["society"], id=society_id, code="NL"))
        conn.execute(filled(tables.tables["training_material"], id=material_id, society_id=society_id))
        conn.execute(filled(tables.tables["material_file"], id=file_id, material_id=material_id, practice_id=None))
        conn.execute(filled(tables.tables["file_page"], file_id=file_id, page=1, text="Signals of exploitation"))
    engine.dispose()

    def pages() -> list:
        engine = create_engine(url)
        with engine.connect() as conn:
            found = conn.exec_driver_sql("SELECT text FROM file_page").scalars().all()
        engine.dispose()
        return found

    command.downgrade(alembic_config(url), "0013")
    assert pages() == ["Signals of exploitation"]
    upgrade(url)
    assert pages() == ["Signals of exploitation"]


def test_0015_keeps_each_practices_contact_and_every_file_both_ways(tmp_path):
    """0015 turns a practice's contact_id into its contacts and rebuilds practice and material_file on SQLite
    (whose drops would delete every practice's files and extracted pages): links, files and pages are kept,
    up and down again."""
    import uuid

    import sqlalchemy as sa

    url = f"sqlite:///{tmp_path / 'm.db'}"
    upgrade(url, "0014")
    society, contact, practice, material = (uuid.uuid4() for _ in range(4))
    files = {uuid.uuid4(): ("practice_id", practice), uuid.uuid4(): ("material_id", material)}
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.exec_driver_sql("PRAGMA foreign_keys=ON")
        tables = sa.MetaData()
        tables.reflect(conn)
        conn.execute(filled(tables.tables["society"], id=society.hex, code="NL"))
        conn.execute(filled(tables.tables["contact"], id=contact.hex, society_id=society.hex))
        conn.execute(filled(tables.tables["practice"], id=practice.hex, society_id=society.hex,
                            contact_id=contact.hex))
        conn.execute(filled(tables.tables["training_material"], id=material.hex, society_id=society.hex))
        for file_id, (owner, owner_id) in files.items():
            conn.execute(filled(tables.tables["material_file"], id=file_id.hex, **{owner: owner_id.hex}))
            conn.execute(filled(tables.tables["file_page"], file_id=file_id.hex, page=1, text=f"Page of {owner}"))
    engine.dispose()

    def read(sql: str) -> list:
        engine = create_engine(url)
        with engine.connect() as conn:
            found = conn.exec_driver_sql(sql).all()
        engine.dispose()
        return found

    upgrade(url)
    assert read("SELECT contacts FROM practice") == [(f'[{{"id": "{contact}", "role": null}}]',)]
    assert sorted(read("SELECT text FROM file_page")) == [("Page of material_id",), ("Page of practice_id",)]
    assert len(read("SELECT id FROM material_file")) == 2
    command.downgrade(alembic_config(url), "0014")
    assert read("SELECT contact_id FROM practice") == [(contact.hex,)]
    assert sorted(read("SELECT text FROM file_page")) == [("Page of material_id",), ("Page of practice_id",)]
