"""Languages volunteers speak and shifts can ask for: the ones heard most in US courts.

Codes are ISO 639 (three letters where no two-letter code exists). Names are marked for
translation so a Spanish interface lists "Portugués", not "Portuguese".
"""

from flask_babel import lazy_gettext as _l

LANGUAGES = {
    "en": _l("English"),
    "es": _l("Spanish"),
    "pt": _l("Portuguese"),
    "ht": _l("Haitian Creole"),
    "fr": _l("French"),
    "zh": _l("Chinese"),
    "ar": _l("Arabic"),
    "ru": _l("Russian"),
    "uk": _l("Ukrainian"),
    "vi": _l("Vietnamese"),
    "ko": _l("Korean"),
    "tl": _l("Tagalog"),
    "pl": _l("Polish"),
    "so": _l("Somali"),
    "am": _l("Amharic"),
    "ti": _l("Tigrinya"),
    "hi": _l("Hindi"),
    "pa": _l("Punjabi"),
    "bn": _l("Bengali"),
    "mam": _l("Mam"),
    "quc": _l("K'iche'"),
    "asl": _l("American Sign Language"),
}


def language_choices() -> list[tuple[str, str]]:
    return [(code, str(name)) for code, name in LANGUAGES.items()]


def language_name(code: str) -> str:
    return str(LANGUAGES.get(code, code))


def language_code(text: str) -> str | None:
    """The code for what a coordinator typed ("es", "Spanish", "español"), or None when unknown."""
    wanted = " ".join((text or "").lower().split())
    if not wanted:
        return None
    if wanted in LANGUAGES:
        return wanted
    from flask_babel import force_locale

    for locale in ("en", "es"):
        with force_locale(locale):
            for code, name in LANGUAGES.items():
                if str(name).lower() == wanted:
                    return code
    return None
