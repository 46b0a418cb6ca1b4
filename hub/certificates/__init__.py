"""Certificates of completion: issue, revoke, PDF, public verification, Open Badges."""
