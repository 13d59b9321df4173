"""Loading the logged-in user from the session cookie.

The cookie carries "user id:session version"; bumping the version (password change,
suspension, role change) ends every session issued before, on every device.
"""

from courtwatch.auth.models import User
from courtwatch.db import db


def load_user(session_id: str) -> User | None:
    user_id, _, version = session_id.partition(":")
    if not user_id.isdigit() or not version.isdigit():
        return None
    user = db.session.get(User, int(user_id))
    if user is None or user.session_version != int(version) or not user.is_active:
        return None
    return user
