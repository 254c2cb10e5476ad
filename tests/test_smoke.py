from tests.support import submit


def test_sign_in_reaches_start_page(client, login):
    user = login("admin")
    page = client.get("/")
    assert page.status_code == 200
    assert "Test Person" in page.get_data(as_text=True)
    assert user.email


def test_wrong_password_keeps_email(client, make_user):
    user = make_user("member")
    response = submit(client, "/auth/sign-in", {"email": user.email, "password": "wrong-password"})
    assert response.status_code == 200
    assert user.email in response.get_data(as_text=True)
