"""Phone-call scripts for human agents and call outcomes, for notifysdk."""
