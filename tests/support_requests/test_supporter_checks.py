"""What the stödpersoner feature learns from assignments: an active stödperson supporting no
parent needs attention, and capacity cannot go below the parents supported now."""

from __future__ import annotations

from tests import factories
from tests.support import signed_in, submit


def test_active_without_an_assignment_needs_attention(app, db, login, client):
    lund = factories.municipality(app, "1281", "Lund")
    idle = factories.ready_supporter(app, display_name="Ingrid", municipality_id=lund)
    busy = factories.ready_supporter(app, display_name="Berit", municipality_id=lund)
    factories.assignment(app, factories.support_request(app, lund).id, busy.id)
    login("coordinator")
    page = client.get("/supporters/attention").get_data(as_text=True)
    section = page.split('id="unassigned-heading"')[1].split("</section>")[0]
    assert "Ingrid" in section and "Berit" not in section
    assert idle.id


def test_capacity_cannot_go_below_the_parents_supported_now(app, db):
    lund = factories.municipality(app, "1281", "Lund")
    lena = factories.ready_supporter(app, display_name="Lena", municipality_id=lund)
    client = signed_in(app, lena.account)
    assert submit(client, "/supporter/availability", {"capacity": "2"},
                  action_contains="/capacity").status_code == 302
    for _ in range(2):
        factories.assignment(app, factories.support_request(app, lund).id, lena.id)
    response = submit(client, "/supporter/availability", {"capacity": "1"},
                      action_contains="/capacity")
    page = response.get_data(as_text=True)
    assert response.status_code == 400 and "cannot be lower than the parents you support" in page
    assert 'value="1"' in page
    assert submit(client, "/supporter/availability", {"capacity": "3"},
                  action_contains="/capacity").status_code == 302
