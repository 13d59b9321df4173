"""Courtwatch: scheduling and documentation for courthouse-watch campaigns.

``create_app`` wires configuration, extensions, blueprints, CLI groups and the signals between
the areas (``courtwatch.areas``), and does nothing else: it never touches the database, so
importing the app is always safe. Nothing depends on the order modules are imported in.
"""

from __future__ import annotations

from courtwatch.startup import collector_paused

with collector_paused("imports"):  # Flask, SQLAlchemy and the extensions: ~0.25 s of CPU to import
    import os

    from flask import Flask

    from courtwatch import cli_loading, extensions, web
    from courtwatch import config as config_module
    from courtwatch.application import Courtwatch
    from courtwatch.areas import connect_areas
    from courtwatch.imports import pending as pending_imports
    from courtwatch.storage import errors as storage_errors


def create_app(test_config: dict | None = None) -> Flask:
    with collector_paused("create_app"):  # courtwatch.startup: ~0.2 s of each command's start was the collector
        return _create_app(test_config)


def _create_app(test_config: dict | None) -> Flask:
    app = Courtwatch(
        __name__, instance_path=os.environ.get("COURTWATCH_INSTANCE_PATH") or None, instance_relative_config=True
    )
    settings = config_module.load_settings(app.instance_path, test_config)
    config_module.check_production(settings)
    app.config.from_mapping(config_module.flask_config(settings))
    os.makedirs(app.instance_path, exist_ok=True)

    if int(app.config["TRUSTED_PROXIES"]):
        from werkzeug.middleware.proxy_fix import ProxyFix

        # The login throttle's per-client count needs the client's address, not the proxy's.
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=int(app.config["TRUSTED_PROXIES"]), x_proto=1)
    _init_extensions(app)
    web.init_app(app)
    storage_errors.init_app(app)
    app.teardown_appcontext(pending_imports.remove_scratch_copies)
    app.defer_views(_register_blueprints)  # imported on first need: commands use no view
    _init_offline(app)
    _register_cli(app)
    _register_template_helpers(app)
    connect_areas(app)
    if app.config["MAIL_BACKEND"] == "console" and app.config["ENV_NAME"] == "development":
        from courtwatch.notify.services import print_outbox_after_commit

        # In development, mail appears in the terminal as soon as it is queued.
        app.extensions["courtwatch_after_commit"].append(print_outbox_after_commit)
    return app


def _init_extensions(app: Flask) -> None:
    from sqlalchemy.orm import configure_mappers

    from courtwatch import models  # noqa: F401  (every table known before migrate/create_all)

    configure_mappers()  # here, with the collector paused, rather than inside the first query
    from courtwatch.auth import throttle
    from courtwatch.auth.access import enforce_access
    from courtwatch.auth.session import load_user
    from courtwatch.db import harden_engine, track_writes

    extensions.db.init_app(app)
    with app.app_context():
        harden_engine(extensions.db.engine)
        track_writes(extensions.db.engine)
    cli_loading.init_app(app)  # Flask-Migrate (alembic) is set up when `flask db` or an upgrade asks for it
    extensions.csrf.init_app(app)
    extensions.limiter.init_app(app)
    throttle.init_app(app)
    extensions.babel.init_app(app, locale_selector=web.select_locale)
    extensions.compress.init_app(app)
    login_manager = extensions.login_manager
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = None
    login_manager.session_protection = None  # "basic"/"strong" hash the client's IP address into the session
    login_manager.user_loader(load_user)
    app.before_request(enforce_access)


def _init_offline(app: Flask) -> None:
    from courtwatch.home.offline import init_offline

    init_offline(app)  # its hooks come in this order whenever the views load


def _register_blueprints(app: Flask) -> None:
    from courtwatch.announcements import views as announcement_views
    from courtwatch.api import views as api_views
    from courtwatch.auth import account_views, enrolment_views, people_views
    from courtwatch.auth import views as auth_views
    from courtwatch.courts import (
        case_views,
        closure_views,
        courthouse_import_views,  # noqa: F401  (its routes are on the courts blueprint)
        hearing_views,
    )
    from courtwatch.courts import views as courts_views
    from courtwatch.feeds import link_views as feed_link_views
    from courtwatch.feeds import shift_views as shift_calendar_views
    from courtwatch.feeds import views as feed_views
    from courtwatch.handbook import rights_views, training_views
    from courtwatch.home import assets as home_assets
    from courtwatch.home import offline as home_offline
    from courtwatch.home import views as home_views
    from courtwatch.imports import source_views  # noqa: F401  (a source's pages, same blueprint)
    from courtwatch.imports import views as import_views
    from courtwatch.notify import outbox_views
    from courtwatch.notify import views as notify_views
    from courtwatch.observations import review_views  # noqa: F401  (the staff pages' routes, same blueprint)
    from courtwatch.observations import views as observation_views
    from courtwatch.opendata import views as opendata_views
    from courtwatch.privacy import views as privacy_views
    from courtwatch.rapid import views as rapid_views
    from courtwatch.reports import views as report_views
    from courtwatch.shifts import confirm_views as shift_confirm_views
    from courtwatch.shifts import coordinator_views as shift_coordinator_views
    from courtwatch.shifts import offer_views  # noqa: F401  (the first-offer routes, same blueprint)
    from courtwatch.shifts import views as shift_views

    assert enrolment_views.bp is account_views.bp  # its routes live on the account blueprint
    for blueprint in (
        home_views.bp,
        home_assets.bp,
        home_offline.bp,
        auth_views.bp,
        account_views.bp,
        people_views.bp,
        courts_views.bp,
        closure_views.bp,
        hearing_views.bp,
        case_views.bp,
        import_views.bp,
        shift_views.bp,
        shift_coordinator_views.bp,
        shift_confirm_views.bp,
        feed_views.bp,
        feed_link_views.bp,
        shift_calendar_views.bp,
        observation_views.bp,
        report_views.bp,
        privacy_views.bp,
        opendata_views.bp,
        api_views.bp,
        rights_views.bp,
        training_views.bp,
        rapid_views.bp,
        notify_views.bp,
        outbox_views.bp,
        announcement_views.bp,
    ):
        app.register_blueprint(blueprint)


# flask COMMAND -> the module and attribute of its group, imported only when that command runs
# (cron's `notify send-due` then loads the notify area alone; courtwatch.cli_loading).
CLI_GROUPS = {
    "users": ("courtwatch.auth.cli", "users_cli"),
    "notify": ("courtwatch.notify.cli", "notify_cli"),
    "demo": ("courtwatch.demo.cli", "demo_cli"),
    "calendars": ("courtwatch.imports.cli", "calendars_cli"),
    "courthouses": ("courtwatch.courts.cli", "courthouses_cli"),
    "privacy": ("courtwatch.privacy.cli", "privacy_cli"),
    "shifts": ("courtwatch.shifts.cli", "shifts_cli"),
    "closures": ("courtwatch.courts.closure_cli", "closures_cli"),
    "feeds": ("courtwatch.feeds.cli", "feeds_cli"),
    "reports": ("courtwatch.reports.cli", "reports_cli"),
    "api": ("courtwatch.api.cli", "api_cli"),
    "cases": ("courtwatch.courts.case_cli", "cases_cli"),
    "storage": ("courtwatch.storage.cli", "storage_cli"),
    "oncall": ("courtwatch.rapid.cli", "oncall_cli"),
}


def _register_cli(app: Flask) -> None:
    for name, (module, attribute) in CLI_GROUPS.items():
        app.cli.add_lazy_command(name, module, attribute)


def _register_template_helpers(app: Flask) -> None:
    from courtwatch.home.templating import init_templating
    from courtwatch.opendata.settings import is_published

    init_templating(app)
    app.jinja_env.globals["open_data_published"] = is_published  # the public footer links the page when on
