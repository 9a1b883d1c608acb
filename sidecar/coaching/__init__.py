"""Caregiver coaching: short pages the program writes (supportive language, helping someone
calm down, making home safer), attached by a clinician to one of a client's emergency
contacts, with a read receipt when the caregiver opens them."""
