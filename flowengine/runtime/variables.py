"""The variables a flow can read: what Twilio posts about the call, by friendly name."""

from __future__ import annotations

from collections.abc import Mapping

# Twilio form field -> name under `call` in templates and conditions.
CALL_FIELDS: dict[str, str] = {
    "CallSid": "sid",
    "AccountSid": "account_sid",
    "From": "from",
    "To": "to",
    "CallStatus": "status",
    "Direction": "direction",
    "CallerName": "caller_name",
    "ForwardedFrom": "forwarded_from",
    "ParentCallSid": "parent_call_sid",
    "FromCity": "from_city",
    "FromState": "from_state",
    "FromZip": "from_zip",
    "FromCountry": "from_country",
    "ToCity": "to_city",
    "ToState": "to_state",
    "ToZip": "to_zip",
    "ToCountry": "to_country",
    "Digits": "digits",
    "SpeechResult": "speech",
    "Confidence": "confidence",
    "RecordingUrl": "recording_url",
    "RecordingDuration": "recording_duration",
    "RecordingSid": "recording_sid",
    "DialCallStatus": "dial_status",
    "DialCallSid": "dial_sid",
    "DialCallDuration": "dial_duration",
    "QueueResult": "queue_result",
    "QueueSid": "queue_sid",
    "QueueTime": "queue_time",
    "QueuePosition": "queue_position",
    "AvgQueueTime": "avg_queue_time",
    "CurrentQueueSize": "queue_size",
    "CallDuration": "duration",
    "MessageSid": "message_sid",
    "Body": "body",
    "NumMedia": "num_media",
    "SessionStatus": "session_status",
    "HandoffData": "handoff_data",
}
# Set by the runtime itself after a fetch (see runtime/effects.py).
RUNTIME_FIELDS = (
    "fetch_status",
    "fetch_outcome",
    "call_recording_url",
    "call_recording_sid",
    "call_recording_status",
)
CALL_NAMES = frozenset((*CALL_FIELDS.values(), *RUNTIME_FIELDS))

# Values longer than this are cut: a hostile or broken request must not bloat a session.
MAX_VALUE_LENGTH = 2000

# Fields that describe one answer and must not linger into the next webhook.
PER_REQUEST = ("digits", "speech", "confidence", "body")


def absorb(call: dict[str, str], params: Mapping[str, str]) -> None:
    """Copy the known fields Twilio posted into the call's variables."""
    for name in PER_REQUEST:
        call.pop(name, None)
    # Twilio posts a dozen fields; walking them beats looking up all the known ones.
    for field, value in params.items():
        known = CALL_FIELDS.get(field)
        if known is not None:
            call[known] = str(value)[:MAX_VALUE_LENGTH]
