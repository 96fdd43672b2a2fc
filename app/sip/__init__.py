"""Real telephony through a SIP proxy (Kamailio): agents' SIP accounts (:mod:`.accounts`)."""
