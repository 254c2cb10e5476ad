from foreningen import create_app
from tests.support import base_config, free_port


def test_healthz_ok(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok", "database": "ok"}


def test_healthz_reports_an_unreachable_database():
    port = free_port()  # nothing listens there
    options = {"connect_args": {"connect_timeout": 2}}
    app = create_app(base_config(f"postgresql+psycopg://nobody@127.0.0.1:{port}/none", 25,
                                 SQLALCHEMY_ENGINE_OPTIONS=options))
    response = app.test_client().get("/healthz")
    assert response.status_code == 503
    assert response.get_json() == {"status": "error", "database": "error"}
