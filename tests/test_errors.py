import logging

from sqlalchemy import select

from foreningen import create_app
from foreningen.municipalities.models import Municipality
from tests.support import base_config


def _app_with_a_failing_route(url):
    app = create_app(base_config(url, 25))

    @app.route("/boom")
    def boom():
        from foreningen.municipalities import services

        services.create("9999", "Halvskriven kommun")  # flushed, then the request fails
        raise RuntimeError("anna.andersson@example.org broke it")

    return app


def test_500_page_gives_a_reference_in_the_log_and_saves_nothing(app, db, caplog):
    failing = _app_with_a_failing_route(app.config["SQLALCHEMY_DATABASE_URI"])
    with caplog.at_level(logging.ERROR, logger="foreningen.errors"):
        response = failing.test_client().get("/boom", headers={"Accept-Language": "en"})
    html = response.get_data(as_text=True)
    assert response.status_code == 500
    assert "Something went wrong" in html
    reference = response.headers["X-Request-ID"]
    assert reference in html
    assert "Traceback" not in html and "anna.andersson" not in html
    assert any(reference in record.getMessage() for record in caplog.records)
    with failing.app_context():
        assert db.session.scalar(select(Municipality).where(Municipality.code == "9999")) is None
        db.engine.dispose()


def test_404_is_friendly_and_translated(client):
    response = client.get("/finns-inte", headers={"Accept-Language": "sv"})
    assert response.status_code == 404
    assert '<html lang="sv"' in response.get_data(as_text=True)
    english = client.get("/finns-inte", headers={"Accept-Language": "en"})
    assert "Page not found" in english.get_data(as_text=True)
