"""Referrals: providers' RJ cases, their stages and Victims' Code clocks (built next)."""
