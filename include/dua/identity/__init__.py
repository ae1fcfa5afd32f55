"""Personnummer (form, date, Luhn, samordningsnummer) and the pseudonymisation
key: its fingerprint in the warehouse and its rotation.
"""
