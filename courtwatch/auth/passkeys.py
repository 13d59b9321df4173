"""Passkeys (WebAuthn) as a phishing-resistant second factor for staff, with the ``webauthn``
package (Duo Labs' py_webauthn): it checks the client data, the origin, the relying party, the
challenge, the signature and the counter, so none of that is written here.

The relying party is the host of ``BASE_URL``; a passkey made for it cannot be used on a look-alike
site. Challenges live in the server-side-signed session between the two halves of a ceremony.
"""

from __future__ import annotations

from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import select

from courtwatch.auth.models import User
from courtwatch.auth.security_models import EnrolmentGrant, Passkey
from courtwatch.auth.security_notices import notify_sign_in_change
from courtwatch.db import db, utcnow
from courtwatch.errors import DomainError
from courtwatch.privacy.services import record_event

if TYPE_CHECKING:
    from webauthn.helpers.structs import PublicKeyCredentialDescriptor

# webauthn (with cryptography's X.509 and pyasn1) costs about half a second of CPU to import; only
# the passkey steps import it, so a worker or a cron command that never sees a passkey does not.


def _relying_party() -> tuple[str, str]:
    """(rp id, origin) from BASE_URL: "courtwatch.example.org", "https://courtwatch.example.org"."""
    parts = urlsplit(current_app.config["BASE_URL"])
    return parts.hostname or "localhost", f"{parts.scheme}://{parts.netloc}"


def _descriptors(user: User) -> list[PublicKeyCredentialDescriptor]:
    from webauthn.helpers.structs import PublicKeyCredentialDescriptor

    return [
        PublicKeyCredentialDescriptor(id=key.credential_id)
        for key in db.session.scalars(select(Passkey).where(Passkey.user_id == user.id))
    ]


def registration_options(user: User) -> tuple[str, bytes]:
    """The options JSON for ``navigator.credentials.create`` and the challenge to keep."""
    import webauthn
    from webauthn.helpers.structs import (
        AuthenticatorSelectionCriteria,
        ResidentKeyRequirement,
        UserVerificationRequirement,
    )

    rp_id, _origin = _relying_party()
    options = webauthn.generate_registration_options(
        rp_id=rp_id,
        rp_name="Courtwatch",
        user_name=user.email,
        user_id=f"courtwatch-user-{user.id}".encode(),
        user_display_name=user.name,
        exclude_credentials=_descriptors(user),
        authenticator_selection=AuthenticatorSelectionCriteria(
            resident_key=ResidentKeyRequirement.DISCOURAGED, user_verification=UserVerificationRequirement.PREFERRED
        ),
    )
    return webauthn.options_to_json(options), options.challenge


def register_passkey(user: User, grant: EnrolmentGrant, credential_json: str, challenge: bytes, name: str) -> Passkey:
    import webauthn
    from webauthn.helpers.exceptions import InvalidRegistrationResponse

    rp_id, origin = _relying_party()
    try:
        verified = webauthn.verify_registration_response(
            credential=credential_json, expected_challenge=challenge, expected_rp_id=rp_id, expected_origin=origin
        )
    except (InvalidRegistrationResponse, ValueError, KeyError, TypeError) as error:
        raise DomainError(_("The passkey could not be registered. Try again.")) from error
    passkey = Passkey(
        user_id=user.id,
        credential_id=verified.credential_id,
        public_key=verified.credential_public_key,
        sign_count=verified.sign_count,
        name=(name or "").strip()[:80] or _("Passkey"),
    )
    db.session.add(passkey)
    grant.used_at = utcnow()
    db.session.flush()
    record_event(user, "user.two_factor_enrolled", user, factor="passkey")
    notify_sign_in_change(user, "factor_added")
    return passkey


def authentication_options(user: User) -> tuple[str, bytes]:
    import webauthn
    from webauthn.helpers.structs import UserVerificationRequirement

    rp_id, _origin = _relying_party()
    options = webauthn.generate_authentication_options(
        rp_id=rp_id, allow_credentials=_descriptors(user), user_verification=UserVerificationRequirement.PREFERRED
    )
    return webauthn.options_to_json(options), options.challenge


def verify_passkey(user: User, credential_json: str, challenge: bytes) -> bool:
    import json

    import webauthn
    from webauthn.helpers.exceptions import InvalidAuthenticationResponse

    rp_id, origin = _relying_party()
    try:
        raw_id = webauthn.base64url_to_bytes(json.loads(credential_json)["rawId"])
    except (ValueError, KeyError, TypeError):
        return False
    passkey = db.session.scalar(select(Passkey).where(Passkey.user_id == user.id, Passkey.credential_id == raw_id))
    if passkey is None:
        return False
    try:
        verified = webauthn.verify_authentication_response(
            credential=credential_json,
            expected_challenge=challenge,
            expected_rp_id=rp_id,
            expected_origin=origin,
            credential_public_key=passkey.public_key,
            credential_current_sign_count=passkey.sign_count,
        )
    except (InvalidAuthenticationResponse, ValueError, KeyError, TypeError):
        return False
    passkey.sign_count = verified.new_sign_count
    passkey.last_used_at = utcnow()
    return True


def list_passkeys(user: User) -> list[Passkey]:
    return list(db.session.scalars(select(Passkey).where(Passkey.user_id == user.id).order_by(Passkey.created_at)))
