"""The PostgreSQL warehouse: the embedded server or any URL, the tables the
pipeline writes outside dbt (``schema.sql``), the file ledger and run lock,
and the database roles.
"""
