"""Hypothesis drives every form and every query parameter of the pages each role sees with
hostile values (integers past the database's, twenty-digit pages, digits that are no ASCII
digits, years 1 and 9999, NUL bytes, very long text, right-to-left marks): the answer is a
page, a redirect or a clear refusal, never a 500. CI runs it on SQLite and PostgreSQL."""

from __future__ import annotations

from urllib.parse import urlencode

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.dues import make_member
from tests.support import csrf_token, forms_in

HOSTILE = [str(2**31), str(2**63), "9" * 20, "-1", "0", "²", "٣", "1e400", "NaN",
           "0001-01-01", "9999-12-31", "2026-02-30", "\x00", "a\x00b", "\u202e", "'; --",
           "<script>", "%", "_", "x" * 5000, "", " "]
VALUES = st.one_of(st.sampled_from(HOSTILE), st.text(max_size=40))
ROLES = {"board": ["/members/", "/members/applications", "/members/new", "/dues/",
                   "/dues/payments/new", "/dues/import", "/dues/imports", "/dues/reminders",
                   "/association/", "/association/privacy-notice", "/admin/audit"],
         "admin": ["/admin/users", "/admin/users/invite", "/admin/municipalities/new",
                   "/admin/audit"],
         "member": ["/membership/details", "/account/password", "/", "/ask/", "/ask/status"],
         "coordinator": ["/supporters/", "/supporters/{person}", "/supporters/training",
                         "/supporters/supervision", "/supporters/requirements",
                         "/supporters/attention", "/support/", "/support/requests/{request}",
                         "/support/requests/{request}/assign"],
         "supporter": ["/supporter/", "/supporter/availability", "/supporter/payout",
                       "/supporter/profile", "/support/mine/",
                       "/support/mine/assignments/{assignment}"],
         "social_worker": ["/referrals/", "/referrals/new"]}
FUZZ = settings(max_examples=12, deadline=None, derandomize=True,
                suppress_health_check=[HealthCheck.function_scoped_fixture,
                                       HealthCheck.too_slow])


def sign_in_as(app, login, role) -> dict:
    """Sign in as a user of `role`; returns what the role's paths need ({person})."""
    from tests import factories

    if role == "supporter":  # a stödperson with a record of their own, and a parent
        made = factories.ready_supporter(app, "active")
        login(user=made.account)
        assignment = factories.assignment(app, factories.support_request(app).id, made.id)
        return {"assignment": assignment}
    login(role, locale="en")
    if role == "coordinator":
        factories.training_module(app, "Fuzzmodul")
        return {"person": factories.supporter(app, "in_training").id,
                "request": factories.support_request(app).id}
    return {}


def form_fields(client, url):
    page = client.get(url)
    assert page.status_code == 200, (url, page.status_code)
    return forms_in(page.get_data(as_text=True))


@pytest.mark.slow
@pytest.mark.parametrize("role", sorted(ROLES))
def test_no_query_string_breaks_a_page(app, client, login, role):
    objects = sign_in_as(app, login, role)
    if role == "member":
        make_member(app)
    urls = [url.format(**objects) for url in ROLES[role]]
    pages = {url: sorted({name for form in form_fields(client, url)
                          if form["method"].lower() == "get"
                          for name in form["fields"]} | {"page", "q", "year", "sort", "show",
                                                          "stage", "municipality"})
             for url in urls}

    @FUZZ
    @given(data=st.data())
    def fuzz(data):
        for url, names in pages.items():
            query = {name: data.draw(VALUES) for name in names}
            answer = client.get(f"{url}?{urlencode(query)}")
            assert answer.status_code < 500, (url, query)

    fuzz()


@pytest.mark.slow
@pytest.mark.parametrize("role", sorted(ROLES))
def test_no_form_input_breaks_a_page(app, client, login, role):
    objects = sign_in_as(app, login, role)
    urls = [url.format(**objects) for url in ROLES[role]]
    posts = [(url, form) for url in urls for form in form_fields(client, url)
             if form["method"].lower() == "post" and "/sign-out" not in form["action"]
             and "/language" not in form["action"]]
    assert posts

    @FUZZ
    @given(data=st.data())
    def fuzz(data):
        for url, form in posts:
            fields = {name: data.draw(VALUES) for name in form["fields"] if name != "csrf_token"}
            fields["csrf_token"] = csrf_token(client, url)
            answer = client.post(form["action"] or url, data=fields)
            assert answer.status_code < 500, (form["action"], fields)

    fuzz()
