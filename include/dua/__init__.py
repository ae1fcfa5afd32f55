"""The DUA follow-up platform: Dexter and Arbetsförmedlingen files into a
validated PostgreSQL warehouse, published for BI tools and reported in Swedish.

One subpackage per concern (docs/architecture.md is the map):

- ``ingest``        discovery, encodings, row rules and the loaders
- ``identity``      personnummer and pseudonyms, the key's fingerprint
- ``warehouse``     the server (embedded or any URL), the tables dbt does not
                    build, the ledger and the roles
- ``quality``       the Great Expectations suites, the publication gate, GX Data Docs
- ``publish``       the published schema, CSV/xlsx/Kolada exports
- ``reporting``     the Swedish HTML reports, their templates and the dbt docs site
- ``orchestration`` what the Airflow DAGs call, and running them in-process
- ``cli``           the ``dua`` command

``settings`` declares every ``DUA_*`` setting; ``private`` writes files only
their owner can read.
"""
