"""A member's own pages as a member uses them: found from the menu, the downloaded copy of
their data is a document of its own, and where they are signed in reads as devices."""

from __future__ import annotations

import re

from foreningen.core.extensions import db
from foreningen.members.models import Member
from tests.dues import make_member

FIREFOX_WINDOWS = ("Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:132.0) Gecko/20100101 "
                   "Firefox/132.0")
SAFARI_IPHONE = ("Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 "
                 "(KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1")


def own_member(app, login):
    user = login("member", locale="en")
    member = make_member(app, first_name="Karin", email=user.email)
    with app.app_context():
        db.session.get(Member, member.id).user_id = user.id
        db.session.commit()
    return user, member


def test_my_membership_is_in_the_main_menu(app, client, login):
    own_member(app, login)
    menu = client.get("/").get_data(as_text=True).split('class="wrap main-nav"')[1]
    menu = menu.split("</nav>")[0]
    assert 'href="/membership/"' in menu and "My membership" in menu


def test_the_main_menu_of_someone_without_membership_has_no_such_link(client, login):
    login("reviewer", locale="en")
    assert 'href="/membership/"' not in client.get("/").get_data(as_text=True)


def test_the_downloaded_copy_is_a_document_of_its_own(app, client, login):
    user, _member = own_member(app, login)
    download = client.get("/membership/my-data?download=1")
    html = download.get_data(as_text=True)
    assert download.headers["Content-Disposition"].startswith("attachment;")
    assert "<style>" in html and "border-collapse" in html  # styles inside the file
    assert '<link rel="stylesheet"' not in html and "<script" not in html
    assert "<form" not in html and "csrf_token" not in html  # nothing to post, no token
    assert 'href="/' not in html  # no links back into the portal
    assert "Karin" in html and user.email in html


def test_sessions_are_listed_as_devices(app, login, make_user):
    user = make_user("member")
    for agent in (FIREFOX_WINDOWS, SAFARI_IPHONE):
        browser = app.test_client()
        browser.environ_base["HTTP_USER_AGENT"] = agent
        browser.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
        from tests.support import submit

        submit(browser, "/auth/sign-in", {"email": user.email, "password": user.password})
    page = browser.get("/account/").get_data(as_text=True)
    devices = [" ".join(re.sub(r"<[^>]+>", "", cell).split()) for cell in
               re.findall(r'<td data-label="Device">(.*?)</td>', page, re.S)]
    assert "Firefox on Windows" in devices
    assert "Mobile Safari on iOS (this device)" in devices
    assert "Mozilla/5.0" not in page
