"""Twilio's REST API (outbound calls and texts) and phone-number rules."""
