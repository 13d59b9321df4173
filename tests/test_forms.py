"""Shared form pieces: the remembered <select> must draw exactly what WTForms draws, afresh
whenever an option's text, the selection or the language changes."""

from __future__ import annotations

from flask_babel import force_locale
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from werkzeug.datastructures import MultiDict
from wtforms import SelectField
from wtforms.validators import Optional
from wtforms.widgets import Select

from courtwatch.forms import RememberedSelect


class _PickForm(FlaskForm):
    class Meta:
        csrf = False

    place = SelectField("Place", coerce=int, validators=[Optional()], widget=RememberedSelect())


def _draw(choices, selected=None):
    form = _PickForm(MultiDict({"place": str(selected)} if selected is not None else {}))
    form.place.choices = choices
    return str(form.place()), str(Select()(form.place))


def test_remembered_select_redraws_on_every_change(app):
    boston_lowell = [(1, "Boston"), (2, "Lowell")]
    cases = [
        ("en", boston_lowell, None),
        ("en", boston_lowell, 2),
        ("en", boston_lowell, 1),
        ("en", [(1, "Boston Municipal"), (2, "Lowell")], 1),  # renamed
        ("en", [(1, "Boston Municipal"), (3, "O'Neill <Annex>")], 3),  # added, to be escaped
        ("en", [(0, _l("Any kind")), (1, "Boston")], 0),  # translated text...
        ("es", [(0, _l("Any kind")), (1, "Boston")], 0),
    ]  # ...in each language
    drawn = {}
    with app.test_request_context("/"):
        for case in cases * 2:  # the second round comes from memory
            locale, choices, selected = case
            with force_locale(locale):
                remembered, plain = _draw(choices, selected)
            assert remembered == plain
            drawn.setdefault(cases.index(case), set()).add(remembered)
        assert "Cualquier" in _draw_in("es") and "Any kind" in _draw_in("en")
    assert all(len(versions) == 1 for versions in drawn.values())
    assert len({versions.pop() for versions in drawn.values()}) == len(cases)


def _draw_in(locale):
    with force_locale(locale):
        return _draw([(0, _l("Any kind"))], 0)[0]
