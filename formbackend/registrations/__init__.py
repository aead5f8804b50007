"""Registrations: the sessions the build published as open (``open_sessions``) and the counts the build reads back (``counts``)."""
