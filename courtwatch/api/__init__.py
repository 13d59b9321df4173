"""The versioned public API (``/api/v1``) and the partner tokens that open its incident rows."""
