"""Mail: composing a submission's e-mails (``compose``) and delivering the outbox (``outbox``)."""
