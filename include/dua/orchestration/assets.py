"""The Assets the DAGs produce and consume (light: safe at DAG-parse time)."""

from airflow.sdk import Asset

RAW_DEXTER = Asset(name="dua_raw_dexter", uri="dua://warehouse/raw/dexter_enrolment", group="dua")
RAW_AF = Asset(name="dua_raw_af", uri="dua://warehouse/raw/af_status", group="dua")
RAW_CATALOGUE = Asset(name="dua_raw_catalogue", uri="dua://warehouse/raw/jobbspar_katalog", group="dua")
# emitted once per ingest run that loaded anything: what the transform is scheduled on
RAW_LOADED = Asset(name="dua_raw_loaded", uri="dua://warehouse/raw", group="dua")
PUBLISHED = Asset(name="dua_published_indicators", uri="dua://warehouse/published/indicator_value", group="dua")

RAW_ASSETS = (RAW_DEXTER, RAW_AF, RAW_CATALOGUE)
