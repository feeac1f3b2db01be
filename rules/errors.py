"""The exception rules raise: a campaign profile that cannot be used."""
from __future__ import annotations


class ProfileError(Exception):
    """A campaign profile is malformed; the message names the file and the line."""
