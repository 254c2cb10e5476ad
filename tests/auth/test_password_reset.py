from datetime import timedelta

from sqlalchemy import select, update

from foreningen.accounts.models import AccountToken
from foreningen.core import outbox
from foreningen.core.db import utcnow
from foreningen.core.extensions import db
from tests.support import submit


def _send(app):
    with app.app_context():
        sent = outbox.send_pending()
        db.session.commit()
        return sent


def test_reset_by_email_link(app, client, inbox, make_user):
    user = make_user("member", locale="sv")
    answer = submit(client, "/auth/reset", {"email": user.email})
    assert answer.status_code == 200
    assert _send(app) == (1, 0)
    message = inbox.to(user.email)[-1]
    assert message["Subject"]
    body = inbox.body(message)
    assert user.password not in body
    link = inbox.link(user.email)
    path = link.removeprefix("http://localhost")
    # A weak password is refused and the page explains why.
    weak = submit(client, path, {"password": "qwerty12345", "confirm": "qwerty12345"})
    assert weak.status_code == 200
    new = "sommarstuga-kaffe-regn"
    done = submit(client, path, {"password": new, "confirm": new})
    assert done.status_code == 302
    assert submit(client, "/auth/sign-in",
                  {"email": user.email, "password": new}).status_code == 302
    # The link works only once.
    assert client.get(path).status_code == 410


def test_same_answer_whether_or_not_the_address_exists(app, client, inbox, make_user):
    user = make_user("member")
    known = submit(client, "/auth/reset", {"email": user.email}).get_data(as_text=True)
    unknown = submit(client, "/auth/reset", {"email": "ingen@example.org"}).get_data(as_text=True)
    strip = lambda html: html.replace(user.email, "").split("<main")[1].split("</main>")[0]  # noqa: E731
    assert strip(known) == strip(unknown)
    _send(app)
    assert len(inbox.messages) == 1


def test_expired_link_does_not_work(app, client, inbox, make_user):
    user = make_user("member")
    submit(client, "/auth/reset", {"email": user.email})
    _send(app)
    with app.app_context():
        db.session.execute(update(AccountToken).values(expires_at=utcnow() - timedelta(minutes=1)))
        db.session.commit()
    path = inbox.link(user.email).removeprefix("http://localhost")
    response = client.get(path)
    assert response.status_code == 410
    assert "Ask for a new link" in response.get_data(as_text=True)


def test_a_new_link_makes_the_old_one_useless(app, client, inbox, make_user):
    user = make_user("member")
    submit(client, "/auth/reset", {"email": user.email})
    submit(client, "/auth/reset", {"email": user.email})
    _send(app)
    first, second = (inbox.body(m) for m in inbox.to(user.email))
    first_path = first.split("http://localhost")[1].split()[0]
    second_path = second.split("http://localhost")[1].split()[0]
    assert client.get(first_path).status_code == 410
    assert client.get(second_path).status_code == 200


def test_tokens_are_stored_hashed(app, client, inbox, make_user):
    user = make_user("member")
    submit(client, "/auth/reset", {"email": user.email})
    _send(app)
    token = inbox.link(user.email).rsplit("/", 1)[1]
    with app.app_context():
        stored = db.session.scalars(select(AccountToken.token_hash)).all()
    assert token not in stored
    assert len(stored) == 1


def test_reset_signs_out_every_session(app, client, inbox, make_user):
    user = make_user("member")
    other = app.test_client()
    submit(other, "/auth/sign-in", {"email": user.email, "password": user.password})
    submit(client, "/auth/reset", {"email": user.email})
    _send(app)
    path = inbox.link(user.email).removeprefix("http://localhost")
    new = "sommarstuga-kaffe-regn"
    submit(client, path, {"password": new, "confirm": new})
    assert other.get("/account/").status_code == 302


def test_one_address_gets_at_most_three_reset_mails_a_day(app, client, make_user, runner, inbox):
    """From eight addresses, eight requests: the inbox gets three, and the page says the
    same every time."""
    user = make_user("member")
    for n in range(8):
        other = app.test_client()
        other.environ_base["REMOTE_ADDR"] = f"192.0.2.{n + 1}"
        other.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
        answer = submit(other, "/auth/reset", {"email": user.email})
        assert answer.status_code == 200
    assert runner.invoke(args=["outbox", "send"]).exit_code == 0
    assert len(inbox.to(user.email)) == 3


def test_the_cap_is_kept_without_the_address(app, db, make_user):
    """The outbox counts by a keyed hash: the address itself is not searchable."""
    from foreningen.core.outbox import OutboxMessage, recipient_key

    user = make_user("member")
    with app.test_request_context(method="POST"):
        from foreningen.accounts.services import request_password_reset

        request_password_reset(user.email)
        db.session.commit()
        key = db.session.scalar(select(OutboxMessage.recipient_key))
        assert key == recipient_key(user.email.upper()) and user.email not in key


def test_a_reset_link_lifts_the_pause_on_the_owners_account(app, client, inbox, make_user):
    """Guessing pauses sign-in to the account, also for its owner; the reset link, which only
    the owner's mailbox receives, lifts that pause at once (finding 12 of the probe)."""
    from tests.support import csrf_token

    user = make_user("member")
    token = csrf_token(client)
    for i in range(6):
        client.post("/auth/sign-in", data={"csrf_token": token, "email": user.email,
                                           "password": f"guess-{i}-password"})
    paused = client.post("/auth/sign-in", data={"csrf_token": token, "email": user.email,
                                                "password": user.password})
    assert paused.status_code == 429
    assert 'href="/auth/reset"' in paused.get_data(as_text=True)
    submit(client, "/auth/reset", {"email": user.email})
    assert _send(app) == (1, 0)
    path = inbox.link(user.email).removeprefix("http://localhost")
    new = "sommarstuga-kaffe-regn"
    assert submit(client, path, {"password": new, "confirm": new}).status_code == 302
    assert submit(client, "/auth/sign-in",
                  {"email": user.email, "password": new}).status_code == 302
