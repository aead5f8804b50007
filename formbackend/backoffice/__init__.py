"""The back-office under /admin (``admin``) and its exports (``csv_export``)."""
