"""GET /api/v1/stats against counts made here, in plain Python over the rows themselves, for each kind of caller
(anonymous, a member of the society with drafts, a member of another society, a coordinator), on SQLite and
PostgreSQL; its filters, its refusals (422 naming the field) and its cache."""
from __future__ import annotations

import math
import statistics
import uuid
from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select, update

from atn_hub import delivery
from atn_hub.db import utcnow
from atn_hub.models import (
    ChangeLog,
    Contact,
    Practice,
    Project,
    Society,
    StatsSnapshot,
    Submission,
    TrainingMaterial,
)
from atn_hub.services import stats as stats_service
from tests.helpers import create, post, publish, set_status

STATS = "/api/v1/stats"
MODELS = {"practice": Practice, "contact": Contact, "training-material": TrainingMaterial, "project": Project}
COORDINATOR_SEES = {"submitted", "changes_requested", "rejected", "archived"}
SUBMITTED = {"submitted", "revision_submitted"}
DECIDED = {"published", "changes_requested", "rejected", "revision_approved", "revision_changes_requested",
           "revision_rejected"}


@pytest.fixture
def network(client, db_session, make_caller):
    """Records of two societies in every state, decisions over several months, a contact past its review."""
    nl, gb = make_caller("member", "NL"), make_caller("member", "GB")
    coordinator = make_caller("coordinator", "DE")
    publish(client, nl, coordinator, "practices", external_id="p1", visibility="public",
            countries=["NL", "BE"])
    publish(client, nl, coordinator, "practices", external_id="p2", language="en", translations={},
            countries=["NL"], topics=["legal-aid"])
    create(client, nl, "practices", external_id="p3", countries=["DE"])  # NL's draft
    sent_back = create(client, nl, "practices", external_id="p4").json
    post(client, nl, "practices", sent_back["id"], "submit")
    post(client, coordinator, "practices", sent_back["id"], "review",
         {"decision": "request_changes", "comment": "Say more."})
    waiting = create(client, nl, "training-materials", external_id="t1").json
    post(client, nl, "training-materials", waiting["id"], "submit")
    publish(client, gb, coordinator, "training-materials", external_id="t2", languages=["en", "fr"],
            visibility="network")
    create(client, gb, "contacts", external_id="c1", country="GB")  # GB's draft
    publish(client, nl, coordinator, "projects", external_id="s1", countries=["NL", "BE"], visibility="public")
    create(client, gb, "projects", external_id="s2", language="en", translations={}, countries=[])  # GB's draft
    overdue = publish(client, nl, coordinator, "contacts", external_id="c2",
                      review_due_at="2025-01-01T00:00:00Z")
    set_status(db_session, "contacts", overdue["id"], "published", "public")
    rejected = create(client, gb, "practices", external_id="p5", countries=["GB"]).json
    post(client, gb, "practices", rejected["id"], "submit")
    post(client, coordinator, "practices", rejected["id"], "review", {"decision": "reject", "comment": "No."})
    # An older history (appended, as the log only grows): decisions in September after waits of 2 to 60 hours,
    # one submission in August decided in September; and a publication in October.
    societies = {s.code: s.id for s in db_session.scalars(select(Society))}
    start = datetime(2026, 9, 10, 9, tzinfo=UTC)
    for number, (waited, decision, society) in enumerate([(2, "published", "NL"), (60, "rejected", "GB"),
                                                          (7, "changes_requested", "NL"), (500, "published", "NL"),
                                                          (30, "revision_approved", "GB")]):
        record_id = str(uuid.uuid4())
        for action, at in (("submitted" if number != 4 else "revision_submitted", start - timedelta(hours=waited)),
                           (decision, start + timedelta(minutes=number))):
            db_session.add(ChangeLog(at=at, society_id=societies[society], record_type="practice",
                                     record_id=record_id, action=action, payload={}))
            db_session.flush()
    db_session.execute(update(Practice).where(Practice.external_id == "p1")
                       .values(published_at=datetime(2026, 10, 3, 12, tzinfo=UTC)))
    db_session.commit()
    return {"anonymous": None, "member, own society": nl, "member, other society": gb, "coordinator": coordinator}


# --- the counts made here ------------------------------------------------------------------------------
def rows(db_session):
    societies = {s.id: s for s in db_session.scalars(select(Society))}
    found = []
    for name, model in MODELS.items():
        for record in db_session.scalars(select(model)).unique():
            found.append((name, record, societies[record.society_id]))
    db_session.rollback()
    return found


def sees(caller, record, society) -> bool:
    if record.status == "published" and record.visibility == "public":
        return True
    if caller is None:
        return False
    if record.status == "published":
        return True
    if caller.user.society_id == society.id:
        return True
    return caller.user.role == "coordinator" and record.status in COORDINATOR_SEES


def countries_of(name, record, society):
    if name == "practice":
        return list(record.countries)
    if name == "project":
        return list(record.countries)
    return [record.country] if name == "contact" else [society.code]  # a material: its society's country


def languages_of(name, record):
    return [record.language] if name in ("practice", "project") else list(record.languages)


def topics_of(name, record):
    fields = ("topics", "target_groups", "forms_of_exploitation") if name == "practice" else ("topics",)
    return [code for field in fields for code in getattr(record, field)]


def as_counts(items, key="code"):
    return {item[key]: item["count"] for item in items}


def expected_records(db_session, caller):
    seen = [(n, r, s) for n, r, s in rows(db_session) if sees(caller, r, s)]
    return {
        "total": len(seen),
        "by_type": Counter(n for n, _, _ in seen),
        "by_status": Counter(r.status for _, r, _ in seen),
        "by_society": Counter(s.code for _, _, s in seen),
        "by_country": Counter(c for n, r, s in seen for c in countries_of(n, r, s)),
        "by_language": Counter(lang for n, r, _ in seen for lang in languages_of(n, r)),
        "by_topic": Counter(t for n, r, _ in seen for t in topics_of(n, r)),
        "published_per_month": Counter((r.published_at.strftime("%Y-%m"), n) for n, r, _ in seen if r.published_at),
        "contacts_past_review": Counter(s.code for n, r, s in seen if n == "contact" and r.review_due_at
                                        and r.review_due_at < datetime.now(UTC)),
        "missing_translation": Counter(n for n, r, _ in seen if r.status == "published"
                                       and (languages_of(n, r) or [""])[0] != "en" and "en" not in r.translations),
    }


def log(db_session):
    entries = list(db_session.scalars(select(ChangeLog).order_by(ChangeLog.seq)))
    db_session.rollback()
    return entries


def expected_submissions(db_session, caller):
    if caller is None:
        return None
    own = caller.user.society_id
    return Counter((e.at.strftime("%Y-%m"), e.record_type) for e in log(db_session) if e.action in SUBMITTED
                   and (caller.user.role == "coordinator" or e.society_id == own))


def expected_review_times(db_session):
    last_submitted, hours = {}, {}
    for entry in log(db_session):
        key = (entry.record_type, entry.record_id)
        if entry.action in SUBMITTED:
            last_submitted[key] = entry.at
        elif entry.action in DECIDED and key in last_submitted:
            hours.setdefault(entry.at.strftime("%Y-%m"), []).append(
                (entry.at - last_submitted[key]).total_seconds() / 3600)
    nearest_rank = lambda values: sorted(values)[math.ceil(0.9 * len(values)) - 1]  # noqa: E731
    return [{"month": m, "decisions": len(v), "median_hours": round(statistics.median(v), 2),
             "p90_hours": round(nearest_rank(v), 2)} for m, v in sorted(hours.items())]


CALLERS = ["anonymous", "member, own society", "member, other society", "coordinator"]


@pytest.mark.parametrize("who", CALLERS)
def test_the_figures_are_the_counts_of_what_the_caller_may_read(client, db_session, network, who):
    caller = network[who]
    response = client.get(STATS, headers=caller.headers if caller else {})
    assert response.status_code == 200, response.json
    body, expected = response.json, expected_records(db_session, caller)
    records = body["records"]
    assert records["total"] == expected["total"]
    assert as_counts(records["by_type"], "type") == {n: expected["by_type"][n] for n in MODELS}
    assert as_counts(records["by_status"], "status") == expected["by_status"]
    assert as_counts(records["by_society"], "society") == expected["by_society"]
    assert as_counts(records["by_country"]) == expected["by_country"]
    assert as_counts(records["by_language"]) == expected["by_language"]
    assert as_counts(records["by_topic"]) == expected["by_topic"]
    assert {(r["month"], r["type"]): r["count"] for r in body["published_per_month"]} == \
        expected["published_per_month"]
    assert as_counts(body["contacts_past_review"], "society") == expected["contacts_past_review"]
    assert {r["type"]: r["count"] for r in body["missing_translation"] if r["count"]} == \
        expected["missing_translation"]
    submissions = expected_submissions(db_session, caller)
    assert (None if body["submissions_per_month"] is None else
            {(r["month"], r["type"]): r["count"] for r in body["submissions_per_month"]}) == submissions
    if who == "coordinator":
        assert body["visibility"] == "coordinators"
        assert body["review_times"] == expected_review_times(db_session)
        assert body["review_times"][0] == {"month": "2026-09", "decisions": 5, "median_hours": 30.07,
                                           "p90_hours": 500.05}
        waiting = list(db_session.scalars(select(Submission)))
        db_session.rollback()
        assert body["queue"]["size"] == len(waiting) == 1
        assert sum(b["count"] for b in body["queue"]["by_age"]) == 1
    else:
        assert body["review_times"] is None and body["queue"] is None


def test_the_society_names_are_given_with_their_codes(client, network):
    answer = client.get(STATS, headers=network["member, other society"].headers).json
    names = {row["society"]: row["name"] for row in answer["records"]["by_society"]}
    assert names == {"NL": "Netherlands Red Cross", "GB": "British Red Cross"}


def test_a_member_sees_their_drafts_counted_and_another_society_does_not(client, network):
    own = client.get(STATS, headers=network["member, own society"].headers).json["records"]
    other = client.get(STATS, headers=network["member, other society"].headers).json["records"]
    assert as_counts(own["by_status"], "status")["draft"] == 1  # NL's p3 (GB's contact draft is not NL's)
    assert as_counts(other["by_status"], "status")["draft"] == 2  # GB's c1 and s2
    assert as_counts(own["by_country"]).get("DE") == 1 and "DE" not in as_counts(other["by_country"])


@pytest.mark.parametrize("filters", [{"type": "practice"}, {"type": ["contact", "training-material"]},
                                     {"society": "GB"}, {"country": "NL"}, {"country": "BE"},
                                     {"since": "2999-01-01"}, {"until": "2000-01-01"}])
def test_filters_narrow_every_figure(client, db_session, network, filters):
    coordinator = network["coordinator"]
    body = client.get(STATS, query_string=filters, headers=coordinator.headers).json
    seen = [(n, r, s) for n, r, s in rows(db_session) if sees(coordinator, r, s)]
    types = filters.get("type")
    types = [types] if isinstance(types, str) else types
    if types:
        seen = [x for x in seen if x[0] in types]
    if "society" in filters:
        seen = [x for x in seen if x[2].code == filters["society"]]
    if "country" in filters:
        seen = [x for x in seen if filters["country"] in countries_of(*x)]
    if "since" in filters or "until" in filters:
        seen = []  # nothing was created in the next millennium, nor before this one
        assert body["submissions_per_month"] == [] and body["review_times"] == []
    assert body["records"]["total"] == len(seen)
    assert as_counts(body["records"]["by_type"], "type") == {n: sum(1 for x in seen if x[0] == n)
                                                            for n in (types or MODELS)}


@pytest.mark.parametrize("field,value", [("type", "person"), ("society", "XX1"), ("society", "QQ"),
                                         ("country", "Netherlands"), ("since", "yesterday"), ("until", "2026-13-01")])
def test_a_bad_filter_is_refused_naming_its_field(client, reference_data, field, value):
    response = client.get(STATS, query_string={field: value})
    assert response.status_code == 422, response.json
    assert field in str(response.json["errors"])


def test_until_before_since_is_refused_naming_until(client, reference_data):
    response = client.get(STATS, query_string={"since": "2026-05-01", "until": "2026-04-30"})
    assert response.status_code == 422
    assert response.json["errors"]["query"]["until"] == ["Not before since."]


def test_an_answer_is_kept_per_visibility_class_until_the_records_change(app, client, member, monkeypatch):
    first = client.get(STATS).json
    create(client, member, "practices", external_id="kept", visibility="public")
    assert client.get(STATS).json["generated_at"] == first["generated_at"]  # kept
    own = client.get(STATS, headers=member.headers).json
    assert own["visibility"] == "society" and own["records"]["total"] == 1  # another class: its own answer
    monkeypatch.setattr(app.config["ATN_SETTINGS"], "stats_cache_seconds", 0)
    assert client.get(STATS, headers=member.headers).json["generated_at"] != own["generated_at"]


def never_counted(monkeypatch):
    def refuse(*_args, **_kwargs):
        raise AssertionError("a request counted the records again")
    monkeypatch.setattr(stats_service, "counted", refuse)


def test_a_request_reads_the_counted_figures_and_counts_only_the_queue(client, make_caller, monkeypatch):
    coordinator, nl = make_caller("coordinator", "DE"), make_caller("member", "NL")
    before = client.get(STATS, headers=coordinator.headers).json  # the class's first caller counts
    never_counted(monkeypatch)
    waiting = create(client, nl, "practices", external_id="waiting").json
    post(client, nl, "practices", waiting["id"], "submit")
    another = make_caller("coordinator", "DE")  # another coordinator of the class: the same counted figures
    after = client.get(STATS, headers=another.headers)
    assert after.status_code == 200, after.json
    assert after.json["records"] == before["records"] and after.json["generated_at"] == before["generated_at"]
    assert (before["queue"]["size"], after.json["queue"]["size"]) == (0, 1)  # the queue now, for each request


def test_the_delivery_pass_counts_again_once_the_records_change(app, client, member, make_caller, db_session):
    coordinator = make_caller("coordinator", "DE")
    settings = app.config["ATN_SETTINGS"]
    passes = app.extensions["atn_db"].session_factory
    first = client.get(STATS).json
    assert first["records"]["total"] == 0
    publish(client, member, coordinator, "practices", external_id="news", visibility="public")
    assert client.get(STATS).json["records"]["total"] == 0  # until the pass counts again
    assert delivery.run_once(passes, settings, [], raise_errors=True)["statistics"] == 0  # not yet: counted just now
    a_while = timedelta(seconds=settings.stats_cache_seconds + 1)
    db_session.execute(update(StatsSnapshot).values(counted_at=utcnow() - a_while))
    db_session.commit()
    assert delivery.run_once(passes, settings, [], raise_errors=True)["statistics"] == 1
    again = client.get(STATS).json
    assert again["records"]["total"] == 1 and again["generated_at"] > first["generated_at"]
    assert delivery.run_once(passes, settings, [], raise_errors=True)["statistics"] == 0  # nothing new since


def test_figures_with_filters_are_counted_by_their_caller_when_stale_never_by_the_pass(app, client, member,
                                                                                       make_caller, db_session):
    coordinator = make_caller("coordinator", "DE")
    settings = app.config["ATN_SETTINGS"]
    passes = app.extensions["atn_db"].session_factory
    narrow = {"type": "practice", "country": "NL"}
    assert client.get(STATS, query_string=narrow).json["records"]["total"] == 0
    publish(client, member, coordinator, "practices", external_id="narrow", visibility="public")
    assert client.get(STATS, query_string=narrow).json["records"]["total"] == 0  # counted under a minute ago
    a_while = utcnow() - timedelta(seconds=settings.stats_cache_seconds + 1)
    db_session.execute(update(StatsSnapshot).values(counted_at=a_while))
    db_session.commit()
    assert stats_service.refresh(passes, settings) == 1  # the public dashboard's only, not the filtered one
    assert client.get(STATS, query_string=narrow).json["records"]["total"] == 1  # stale: its caller counts it
    assert db_session.scalar(select(func.count()).select_from(StatsSnapshot)) == 2
    db_session.rollback()


def test_a_snapshot_is_counted_by_one_process_at_a_time_and_forgotten_when_nobody_asks(app, client, member,
                                                                                        db_session):
    settings = app.config["ATN_SETTINGS"]
    passes = app.extensions["atn_db"].session_factory
    assert stats_service.refresh(passes, settings) == 1  # the public dashboard's, before anyone asks
    client.get(STATS, headers=member.headers)
    create(client, member, "practices", external_id="changed")
    old = utcnow() - timedelta(hours=2)
    db_session.execute(update(StatsSnapshot).values(counted_at=old, claimed_at=utcnow()))  # another process counts
    db_session.commit()
    assert stats_service.refresh(passes, settings) == 0
    db_session.execute(update(StatsSnapshot).values(claimed_at=old))  # ... and died: taken up again
    db_session.commit()
    assert stats_service.refresh(passes, settings) == 2
    db_session.execute(update(StatsSnapshot).values(requested_at=utcnow() - timedelta(days=8)))
    db_session.commit()
    stats_service.refresh(passes, settings)
    assert db_session.scalars(select(StatsSnapshot.request)).all() == [
        {"visibility": "public", "society": None, "reviews": False, "filters": {},
         "working_language": settings.working_language}]  # only the public one, counted afresh
    db_session.rollback()


def test_the_figures_of_a_society_removed_since_are_dropped(app, client, member, db_session):
    client.get(STATS, headers=member.headers)  # the NL members' figures
    [(key, request)] = db_session.execute(select(StatsSnapshot.key, StatsSnapshot.request)).all()
    db_session.execute(update(StatsSnapshot).where(StatsSnapshot.key == key).values(
        request={**request, "society": "ZZ"}, counted_at=utcnow() - timedelta(days=2)))  # as if ZZ had gone
    db_session.commit()
    assert stats_service.refresh(app.extensions["atn_db"].session_factory, app.config["ATN_SETTINGS"]) == 1
    assert [r["visibility"] for r in db_session.scalars(select(StatsSnapshot.request))] == ["public"]
    db_session.rollback()


def test_an_unknown_society_is_refused_naming_society(client, reference_data):
    response = client.get(STATS, query_string={"society": "FR"})
    assert response.status_code == 422
    assert "society" in response.json["errors"]["json"]



def test_figures_are_kept_even_when_another_process_writes_while_they_are_counted(app, client, member,
                                                                                  monkeypatch, db_session):
    """The count is a long read; keeping its figures is a write of its own (on SQLite a reading transaction
    that began before another process wrote cannot become a writing one: that answer would be a 503)."""
    count = stats_service.counted

    def counted_while_another_writes(*args, **kwargs):
        figures = count(*args, **kwargs)
        db_session.execute(update(Society).where(Society.code == "NL").values(website="https://www.rodekruis.nl"))
        db_session.commit()  # another connection writes meanwhile
        return figures

    monkeypatch.setattr(stats_service, "counted", counted_while_another_writes)
    first = client.get(STATS, headers=member.headers)
    assert first.status_code == 200, first.json
    monkeypatch.setattr(stats_service, "counted", count)
    assert db_session.scalar(select(func.count()).select_from(StatsSnapshot)) == 1
    db_session.rollback()
