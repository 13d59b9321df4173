"""Handing one queued message to the mail system: SMTP in production, the console in development."""

from __future__ import annotations

import re
import smtplib
import sys
from email.message import EmailMessage
from urllib.parse import urlsplit

from courtwatch.notify.models import OutboxMessage


class DeliveryFailed(Exception):
    """The mail system did not take the message; it stays queued and is retried later."""


class ChannelTimedOut(DeliveryFailed):
    """The channel's server took the connection and then did not answer in time. A delivery run
    stops using that channel for the rest of the run: every other message on it would wait out
    the same timeout, one after another, while alerts on the other channels wait behind them."""


def one_line_header(value: str) -> str:
    """A header value with every control character turned into a space. Forms refuse them
    already; this is the last guard, so a value that slipped in some other way (an old row, an
    import) can never inject a header or leave a notice that fails on every attempt."""
    return " ".join(re.sub(r"[\x00-\x1f\x7f]", " ", value or "").split())


def message_id_domain(config) -> str:
    return (urlsplit(str(config.get("BASE_URL") or "")).hostname or "courtwatch.local").lower()


def build_email(message: OutboxMessage, config) -> EmailMessage:
    email = EmailMessage()
    email["From"] = one_line_header(config["MAIL_FROM"])
    # An address is never "repaired": a changed address is somebody else's. One with a line break
    # fails here, stays queued and is reported, without holding up the rest of the queue.
    email["To"] = message.to_address
    email["Subject"] = one_line_header(message.subject)
    # A stable Message-ID lets a receiving server drop a duplicate if a crash ever resends one.
    # Derived from the row id alone (make_msgid adds the time and a random part, new on each retry).
    email["Message-ID"] = f"<outbox-{message.id}@{message_id_domain(config)}>"
    if message.urgent:
        email["Importance"] = "high"
        email["X-Priority"] = "1"
    email.set_content(message.body_text)
    for attachment in message.attachments:
        maintype, _, subtype = attachment.content_type.partition("/")
        email.add_attachment(
            attachment.content, maintype=maintype, subtype=subtype.split(";")[0], filename=attachment.filename
        )
    return email


def _timed_out(error: BaseException | None) -> bool:
    # smtplib turns a read timeout into SMTPServerDisconnected("Connection unexpectedly closed: timed
    # out"); the socket's TimeoutError is still there as its context.
    while error is not None:
        if isinstance(error, TimeoutError):
            return True
        error = error.__cause__ or error.__context__
    return False


def deliver(message: OutboxMessage, config) -> None:
    """Send one email (``channels.deliver_on_channel`` picks SMS or push for other rows)."""
    email = build_email(message, config)
    if config["MAIL_BACKEND"] == "console":
        sys.stdout.write(f"\n----- email (not sent: console backend) -----\n{email.as_string()}\n")
        sys.stdout.flush()
        return
    try:
        with smtplib.SMTP(config["SMTP_HOST"], int(config["SMTP_PORT"]), timeout=int(config["SMTP_TIMEOUT"])) as smtp:
            if config["SMTP_STARTTLS"]:
                smtp.starttls()
            if config["SMTP_USERNAME"]:
                smtp.login(config["SMTP_USERNAME"], config["SMTP_PASSWORD"])
            smtp.send_message(email)
    except (OSError, smtplib.SMTPException) as error:
        if _timed_out(error):
            raise ChannelTimedOut(f"SMTP server did not answer within {config['SMTP_TIMEOUT']} s") from error
        raise DeliveryFailed(f"{type(error).__name__}: {error}"[:480]) from error
