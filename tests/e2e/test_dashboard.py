"""The dashboard in a real browser, under the console's real Content-Security-Policy: what its tables show is
what GET /api/v1/stats answers (fetched here with the same person's token), for an anonymous visitor and for a
coordinator (who also sees review times and the queue's age); axe-core finds nothing wrong, signed in or not;
a screenshot is kept (tests/e2e/screenshots/dashboard-coordinator.png)."""
from __future__ import annotations

from pathlib import Path

from playwright.sync_api import expect

from tests.e2e.conftest import COORDINATOR, MEMBER, axe_violations, sign_in

TYPES = ["practice", "contact", "training-material", "project"]
FETCH_STATS = """async () => {
    const tokens = JSON.parse(sessionStorage.getItem("atn-hub.tokens") || "null");
    const headers = tokens ? {Authorization: `Bearer ${tokens.access_token}`} : {};
    return await (await fetch("/api/v1/stats", {headers})).json();
}"""


def shown(page, table_id: str) -> dict[str, list[float]]:
    """A figure's table as the reader sees it: row key -> the numbers in its cells (as written, in English)."""
    return page.evaluate("""(id) => Object.fromEntries([...document.querySelectorAll(`#${id} tbody tr`)].map(
        (row) => [row.dataset.key, [...row.querySelectorAll("td")].map((cell) => cell.textContent)]))""", table_id)


def numbers(rows: dict[str, list[str]]) -> dict[str, list[float]]:
    return {key: [float(cell.replace(",", "")) for cell in cells] for key, cells in rows.items()}


def per_month(items) -> dict[str, list[float]]:
    months = sorted({item["month"] for item in items})
    found = {}
    for month in months:
        counts = [sum(i["count"] for i in items if i["month"] == month and i["type"] == t) for t in TYPES]
        found[month] = [*counts, sum(counts)]
    return found


def check_tables(page, stats) -> None:
    expect(page.locator("#dashboard-total")).to_have_text(f"{stats['records']['total']:,} records")
    assert numbers(shown(page, "published-per-month-table")) == per_month(stats["published_per_month"])
    assert numbers(shown(page, "by-country-table")) == {i["code"]: [i["count"]] for i in stats["records"]["by_country"]}
    assert numbers(shown(page, "by-type-table")) == {i["type"]: [i["count"]] for i in stats["records"]["by_type"]}
    assert numbers(shown(page, "by-society-table")) == {i["society"]: [i["count"]]
                                                         for i in stats["records"]["by_society"]}
    # names, not codes: a country by its English name, a type by its label
    if stats["records"]["by_country"]:
        assert page.locator("#by-country-table tbody th").first.text_content() not in {
            i["code"] for i in stats["records"]["by_country"]}
    expect(page.locator("#by-type-table tbody th").first).to_have_text("Practices")


def test_an_anonymous_visitor_sees_the_public_figures(browsing, axe_script, screenshot):
    page = browsing.page()  # the real CSP: a chart that broke it would be a console error, failing the test
    page.goto("/")
    page.get_by_role("link", name="Dashboard").click()
    expect(page.get_by_role("heading", name="Dashboard", level=1)).to_be_visible()
    expect(page.locator("svg.chart").first).to_be_visible()
    stats = page.evaluate(FETCH_STATS)
    assert stats["visibility"] == "public" and stats["queue"] is None and stats["review_times"] is None
    check_tables(page, stats)
    assert page.locator("#review-times").count() == 0 and page.locator("#queue-age").count() == 0
    with page.expect_download() as download:
        page.locator("#by-country-csv").click()
    lines = Path(download.value.path()).read_text(encoding="utf-8").splitlines()
    assert lines[0] == "Country,Records"
    assert lines[1:] == [f"{i['code']},{i['count']}" for i in stats["records"]["by_country"]]
    screenshot(page, "dashboard-anonymous")

    checked = browsing.page(bypass_csp=True)  # axe is injected as an inline script, which the CSP forbids
    checked.goto("/dashboard")
    expect(checked.locator("svg.chart").first).to_be_visible()
    assert axe_violations(checked, axe_script) == []


def test_a_coordinator_sees_the_charts_of_the_stats_with_review_times_and_queue(browsing, axe_script, screenshot):
    member = browsing.page()
    sign_in(member, MEMBER)
    ids = member.evaluate("""async () => {
        const token = JSON.parse(sessionStorage.getItem("atn-hub.tokens")).access_token;
        const headers = {Authorization: `Bearer ${token}`, "Content-Type": "application/json"};
        const ids = [];
        for (const title of ["Dashboard: decided", "Dashboard: waiting"]) {
            const created = await (await fetch("/api/v1/practices", {method: "POST", headers, body: JSON.stringify({
                title, summary: "Counted on the dashboard.", language: "en", countries: ["NL"]})})).json();
            await fetch(`/api/v1/practices/${created.id}/submit`, {method: "POST", headers});
            ids.push(created.id);
        }
        return ids;
    }""")
    page = browsing.page()
    sign_in(page, COORDINATOR)
    decided = page.evaluate("""async (id) => {
        const token = JSON.parse(sessionStorage.getItem("atn-hub.tokens")).access_token;
        const headers = {Authorization: `Bearer ${token}`, "Content-Type": "application/json"};
        const body = JSON.stringify({decision: "approve"});
        const answer = await fetch(`/api/v1/practices/${id}/review`, {method: "POST", headers, body});
        return answer.status;
    }""", ids[0])
    assert decided == 200

    page.get_by_role("link", name="Dashboard").click()
    expect(page.get_by_role("heading", name="Review times")).to_be_visible()
    stats = page.evaluate(FETCH_STATS)
    assert stats["visibility"] == "coordinators"
    check_tables(page, stats)
    review = numbers(shown(page, "review-times-table"))
    assert list(review) == [i["month"] for i in stats["review_times"]]
    for item in stats["review_times"]:  # hours shown to one decimal
        decisions, median, p90 = review[item["month"]]
        assert decisions == item["decisions"]
        assert abs(median - item["median_hours"]) <= 0.051 and abs(p90 - item["p90_hours"]) <= 0.051
    assert sum(i["decisions"] for i in stats["review_times"]) >= 1
    assert stats["queue"]["size"] >= 1
    assert numbers(shown(page, "queue-age-table")) == {i["bucket"]: [i["count"]] for i in stats["queue"]["by_age"]}
    assert numbers(shown(page, "submissions-per-month-table")) == per_month(stats["submissions_per_month"])
    expect(page.locator("#queue-age svg.chart")).to_be_visible()
    expect(page.locator("#published-per-month svg.chart")).to_be_visible()
    screenshot(page, "dashboard-coordinator")

    checked = browsing.page(bypass_csp=True)
    sign_in(checked, COORDINATOR)
    checked.goto("/dashboard")
    expect(checked.get_by_role("heading", name="Review times")).to_be_visible()
    assert axe_violations(checked, axe_script) == []
