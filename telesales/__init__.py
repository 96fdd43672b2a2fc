"""Outbound: campaigns, lead selection, contact rules, dialing modes and predictive pacing."""
