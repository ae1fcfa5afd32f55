"""The ``dua`` command (docs: ../shared/contracts/cli.md and the README).
"""
