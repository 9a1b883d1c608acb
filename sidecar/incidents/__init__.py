"""Incidents: crisis and emergency work on one client, from first alarm to follow-up."""
