"""The know-your-rights card: default text in English and Spanish, admins' sanitised edits with a
preview, translations, and who may edit."""

from __future__ import annotations

import re

from sqlalchemy import select

from courtwatch.auth.models import User
from courtwatch.db import db
from courtwatch.handbook.markdown import render_markdown
from courtwatch.handbook.models import RightsCard
from tests.conftest import form_errors


def _card(html: str) -> str:
    match = re.search(r'<div class="card markdown" id="rights-card">(.*?)</div>', html, re.S)
    assert match, html[:500]
    return match.group(1)


def test_sanitising_strips_scripts_handlers_and_foreign_images():
    html = str(
        render_markdown(
            "# Title\n\n<script>alert('x')</script>\n\n"
            '<img src="https://tracker.example/p.gif" onerror="alert(1)">\n\n'
            '<p onclick="steal()" style="color:red">Tap</p>\n\n'
            '[bad](javascript:alert(1)) [good](https://example.org) <a href="javascript:alert(2)">x</a>\n\n'
            "<iframe src=https://evil.example></iframe>\n\n- **Stay silent**"
        )
    )
    lowered = html.lower()
    # A markdown link to javascript: stays inert text; no tag may carry it or a handler.
    for forbidden in (
        "<script",
        "alert('x')",
        "onerror",
        "onclick",
        "style=",
        "<img",
        "<iframe",
        'href="javascript',
        "<h1",
    ):
        assert forbidden not in lowered, (forbidden, html)
    assert '<a href="https://example.org" rel="noopener noreferrer">good</a>' in html
    assert "<h2>Title</h2>" in html and "<strong>Stay silent</strong>" in html


def test_default_card_in_english_and_spanish_for_spanish_users(client, make_user, login_as):
    english = client.get("/rights")
    assert english.status_code == 200  # public: a session that ran out still has the card
    text = _card(english.get_data(as_text=True))
    assert "I-200" in text and "judge" in text and "silent" in text.lower()
    spanish_user = make_user(name="Sofía")
    spanish_user.locale = "es"
    db.session.commit()
    html = login_as(spanish_user).get("/rights").get_data(as_text=True)
    text = _card(html)
    assert "guardar silencio" in text and "No firme nada" in text and "I-205" in text
    assert 'lang="es"' in html
    # Anyone can show the other language with ?lang=.
    assert "guardar silencio" in _card(client.get("/rights?lang=es").get_data(as_text=True))


def test_card_is_one_tap_from_home_and_in_the_menu(volunteer_client):
    html = volunteer_client.get("/").get_data(as_text=True)
    assert re.search(r'id="rights-link" href="/rights"', html)
    assert html.count('href="/rights"') >= 2  # the start page's button and the menu


def test_card_is_cacheable_and_printable(client):
    response = client.get("/rights")
    assert response.headers["Cache-Control"] == "no-cache"
    assert "<script" not in _card(response.get_data(as_text=True))
    response = client.get("/static/handbook.css")
    css = response.get_data(as_text=True)
    response.close()
    assert "@media print" in css and ".rights-page" in css


def test_admin_previews_then_saves_a_sanitised_card(admin_client, client):
    body = "## Stay calm\n\n<script>alert(1)</script>\n\nSay **nothing**."
    preview = admin_client.post("/rights/edit", data={"locale": "en", "body": body, "action": "preview"})
    assert preview.status_code == 200
    html = preview.get_data(as_text=True)
    assert (
        'id="rights-preview"' in html
        and "<strong>nothing</strong>" in html
        and "alert(1)" not in html.split("</textarea>")[1]
    )
    assert db.session.scalar(select(RightsCard)) is None  # a preview saves nothing
    saved = admin_client.post("/rights/edit", data={"locale": "en", "body": body, "action": "save"})
    assert saved.status_code == 302
    card = _card(client.get("/rights").get_data(as_text=True))
    assert "<h2>Stay calm</h2>" in card and "<script" not in card
    # Spanish keeps its own default.
    assert "guardar silencio" in _card(client.get("/rights?lang=es").get_data(as_text=True))


def test_admin_adds_a_translation_and_it_is_offered(admin_client, client):
    form = admin_client.get("/rights/edit?lang=pt").get_data(as_text=True)
    assert "I-200" in form  # starts from the English text, to translate
    admin_client.post(
        "/rights/edit", data={"locale": "pt", "body": "Você tem o direito de ficar calado.", "action": "save"}
    )
    html = client.get("/rights?lang=pt").get_data(as_text=True)
    assert "ficar calado" in _card(html)
    assert 'href="/rights?lang=pt"' in client.get("/rights").get_data(as_text=True)
    # A language with no card falls back to English, and says so.
    html = client.get("/rights?lang=vi").get_data(as_text=True)
    assert "I-200" in _card(html) and "not yet available" in html


def test_empty_card_is_refused_and_what_was_typed_is_kept(admin_client):
    response = admin_client.post("/rights/edit", data={"locale": "en", "body": "   ", "action": "save"})
    assert response.status_code == 422
    assert form_errors(response.get_data(as_text=True))
    assert db.session.scalar(select(RightsCard)) is None


def test_only_admins_edit(volunteer_client, coordinator_client):
    assert volunteer_client.get("/rights/edit").status_code == 403
    assert (
        coordinator_client.post("/rights/edit", data={"locale": "en", "body": "x", "action": "save"}).status_code == 403
    )
    assert db.session.scalar(select(RightsCard)) is None


def test_reset_goes_back_to_the_shipped_text(admin_client, client, admin):
    admin_client.post("/rights/edit", data={"locale": "en", "body": "Edited", "action": "save"})
    admin_client.post("/rights/reset", data={"locale": "en"})
    assert "I-200" in _card(client.get("/rights").get_data(as_text=True))
    assert db.session.get(User, admin.id)
