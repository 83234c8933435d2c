"""On-site visit and summons letters (PDF), appointments and visit records, for notifysdk."""
