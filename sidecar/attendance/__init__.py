"""Attendance records: who came to each session, for how long, checked in or not, and what
happened when they dropped; kept as long as the program's records policy says."""
