"""What the membership domain tells other features."""

from __future__ import annotations

from foreningen.core.signals import namespace

# A member's personal data was removed (erasure or retention). Sent with the member's id
# as `member_id`; subscribers remove what they hold that could name the person.
member_anonymised = namespace.signal("member-anonymised")
