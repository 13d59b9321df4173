"""The menu and the report-queue notice, drawn once per role, page and language: never another
role's links, never another session's token, never the wrong language or current page."""

from __future__ import annotations

import re

import pytest

from courtwatch.home import fragments

CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
MENU = re.compile(r'<nav class="menu menu-wide".*?</nav>', re.S)


@pytest.fixture(autouse=True)
def empty_store():
    fragments.fragments.clear()
    yield
    fragments.fragments.clear()


def _menu(client, path="/shifts") -> tuple[str, str]:
    response = client.get(path)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    return MENU.search(html).group(0), html


def test_one_drawing_serves_every_volunteer_each_with_their_own_token(login_as, make_user):
    first, second = login_as(make_user(name="Ann One")), login_as(make_user(name="Ben Two"))
    menu_one, _ = _menu(first)
    stored = len(fragments.fragments)
    assert stored == 2  # the menu and the queue notice
    menu_two, page_two = _menu(second)
    assert len(fragments.fragments) == stored  # the second volunteer's came from the store
    token_one, token_two = CSRF.findall(menu_one)[0], CSRF.findall(menu_two)[0]
    assert token_one != token_two
    assert menu_one.replace(token_one, "T") == menu_two.replace(token_two, "T")
    assert str(fragments.CSRF_SLOT) not in page_two
    assert 'id="report-queue"' in page_two
    # The stored menu's log-out form works with the token put in.
    assert second.post("/logout", data={"csrf_token": token_two}, csrf=False).status_code == 302
    assert second.get("/shifts").status_code == 302  # logged out: sent to the login page


def test_roles_pages_and_languages_each_get_their_own(login_as, make_user, coordinator_client):
    volunteer = login_as(make_user(name="Vic Viewer"))
    volunteer_menu, _ = _menu(volunteer)
    staff_menu, _ = _menu(coordinator_client)
    assert "/coordinator" not in volunteer_menu and "Hearings" not in volunteer_menu
    assert "Hearings" in staff_menu
    # The current page is marked in the menu of that page only.
    assert re.search(r'href="/shifts"[^>]*aria-current="page"', volunteer_menu)
    mine, _ = _menu(volunteer, "/me/shifts")
    assert re.search(r'href="/me/shifts"[^>]*aria-current="page"', mine)
    assert not re.search(r'href="/shifts"[^>]*aria-current', mine)
    # Spanish after switching, English again for someone else.
    token = CSRF.findall(volunteer_menu)[0]
    volunteer.post("/language", data={"csrf_token": token, "locale": "es", "next": "/shifts"}, csrf=False)
    spanish, _ = _menu(volunteer)
    assert "Cerrar sesión" in spanish
    english, _ = _menu(login_as(make_user(name="Eve English")))
    assert "Log out" in english
