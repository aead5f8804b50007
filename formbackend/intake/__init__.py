"""Intake of submissions: the POST handler (``receive``), where a post may come from (``origins``), how often (``ratelimit``) and what it must hold (``validation``)."""
