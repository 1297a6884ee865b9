"""followthru: interview and referral follow-ups, prepared in your own mailbox."""

__version__ = "0.1.0"
