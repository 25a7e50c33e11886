"""The demo has something to show a Dutch reader: a French practice, a training material and a contact with
English and Dutch translations."""
from __future__ import annotations

import uuid

NS = uuid.UUID("0c884028-20ee-4eec-9607-1e8332313f74")


def demo_id(record_type: str, external_id: str) -> str:
    return str(uuid.uuid5(NS, f"{record_type}/{external_id}"))


def test_a_dutch_reader_reads_french_records_in_dutch(app, client):
    assert app.test_cli_runner().invoke(args=["demo", "load"]).exit_code == 0
    for path, record_type, external_id, field in (("practices", "practice", "FR-P02", "body"),
                                                  ("training-materials", "training-material", "FR-T02", "title"),
                                                  ("contacts", "contact", "FR-C02", "role")):
        response = client.get(f"/api/v1/{path}/{demo_id(record_type, external_id)}",
                              headers={"Accept-Language": "nl-NL,nl;q=0.9,en;q=0.8"})
        assert response.status_code == 200, response.json  # public records: no token needed
        display = response.json["display"]
        assert display["language"] == "nl" and display["translated"], external_id
        assert display[field] == response.json["translations"]["nl"][field]
        assert response.headers["Content-Language"] == "nl"
        assert set(response.json["translations"]) == {"en", "nl"}
    missing = client.get("/api/v1/practices?missing_translation=en&society=FR").json
    assert demo_id("practice", "FR-P02") not in {record["id"] for record in missing}
