"""The debtor's self-service page: a signed link in every notice opens it.

The debtor verifies (facts the lender configures), then sees the debt as it stands,
chooses a repayment plan (a ``promise_to_pay`` account event), disputes (a ``dispute``
event), and says how to be contacted (opt-outs per medium, inconvenient times, a
preferred medium and language). Every action is audited, masked. Served by
``notifysdk serve`` under ``/self-service``; see ``docs/self-service.md``.

Modules: :mod:`.settings` (what the lender configures), :mod:`.keys` (the key outside
the database), :mod:`.tokens` (the signed links), :mod:`.links` (the template variable),
:mod:`.facts` (what a visitor confirms), :mod:`.plans` (the plans offered),
:mod:`.guard` (attempts, locks, rate limits, sessions, CSRF), :mod:`.actions` (the
actions, shared by the page and the JSON API), :mod:`.app` (the Starlette app).
"""
