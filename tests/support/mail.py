"""A real SMTP server (aiosmtpd) on 127.0.0.1 for the whole test session, and a mailbox per test."""

from __future__ import annotations

import email
import email.policy
import socket
import threading

import pytest
from aiosmtpd.controller import Controller


class CollectingHandler:
    def __init__(self):
        self.messages: list[email.message.EmailMessage] = []
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):
        message = email.message_from_bytes(envelope.original_content or envelope.content, policy=email.policy.default)
        with self.lock:
            self.messages.append(message)
        return "250 OK"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="session")
def smtp_server():
    handler = CollectingHandler()
    controller = Controller(handler, hostname="127.0.0.1", port=free_port())
    controller.start()
    controller.handler_ref = handler
    try:
        yield controller
    finally:
        controller.stop()


class Mailbox:
    def __init__(self, handler: CollectingHandler):
        self.handler = handler

    @property
    def messages(self):
        with self.handler.lock:
            return list(self.handler.messages)

    def to(self, address: str):
        return [m for m in self.messages if m["To"] == address]

    @staticmethod
    def body(message) -> str:
        return message.get_body(preferencelist=("plain",)).get_content()

    def clear(self):
        with self.handler.lock:
            self.handler.messages.clear()


@pytest.fixture
def mailbox(smtp_server):
    box = Mailbox(smtp_server.handler_ref)
    box.clear()
    yield box
    box.clear()
