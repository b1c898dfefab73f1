"""Pledges: the public RJ pledge, its campaigns, moderation and register."""
