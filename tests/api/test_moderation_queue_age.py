"""The moderation queue's ``age`` filter takes any age up to a century; larger ones (which overflowed the
dates into a 500) are refused naming ``age``, on SQLite and PostgreSQL."""
from __future__ import annotations

import pytest

from tests.helpers import create, post

QUEUE = "/api/v1/moderation/queue"


@pytest.mark.parametrize("age", ["99999999d", "36501d", "1000000000d", "876001h", "99999999999999999999m",
                                 "9" * 400, "9" * 400 + ".5h"])
def test_an_absurd_age_is_refused_naming_age(client, coordinator, age):
    response = client.get(QUEUE, query_string={"age": age}, headers=coordinator.headers)
    assert response.status_code == 422, response.get_data(as_text=True)
    assert response.json["errors"]["query"]["age"] == ["An age of at most 36500 days."]


def test_an_age_of_a_century_is_the_largest_and_finds_nothing_that_young(client, member, coordinator):
    practice = create(client, member, "practices").json
    post(client, member, "practices", practice["id"], "submit")
    assert [i["record_id"] for i in client.get(QUEUE, headers=coordinator.headers).json] == [practice["id"]]
    for age in ("36500d", "876000h"):
        response = client.get(QUEUE, query_string={"age": age}, headers=coordinator.headers)
        assert response.status_code == 200 and response.json == []
