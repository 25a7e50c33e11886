"""Cases Schemathesis found (each was a 500): they stay answered properly."""
from __future__ import annotations

import pytest

from tests.helpers import create, url


def test_contacts_sort_by_title_means_by_name(client, member):
    for name in ("Zoë Visser", "Anna Jansen"):
        create(client, member, "contacts", name=name, external_id=name)
    response = client.get("/api/v1/contacts?sort=title", headers=member.headers)
    assert response.status_code == 200
    assert [c["name"] for c in response.json] == ["Anna Jansen", "Zoë Visser"]


def test_training_materials_by_country_are_their_societys(client, member, other_member):
    create(client, member, "training-materials", visibility="public")
    response = client.get("/api/v1/training-materials?country=NL", headers=member.headers)
    assert response.status_code == 200 and len(response.json) == 1
    assert client.get("/api/v1/training-materials?country=GB", headers=member.headers).json == []


@pytest.mark.parametrize("path", ["/api/v1/topics", "/api/v1/practices", "/api/v1/societies"])
def test_a_page_far_past_the_end_is_empty(client, path):
    response = client.get(f"{path}?page=99999999999999999999999")
    assert response.status_code == 200 and response.json == []


def test_an_empty_external_id_is_refused_not_a_conflict(client, member):
    response = client.post(url("contacts"), json={"name": "X", "country": "NL", "external_id": ""},
                           headers=member.headers)
    assert response.status_code == 422 and "external_id" in response.json["errors"]["json"]
