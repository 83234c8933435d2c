"""``python -m notifysdk_twilio.testing``: serve the fake Twilio API from this process."""

from .server import main

main()
