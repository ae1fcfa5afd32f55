"""What the Airflow DAG files call (tasks, shared defaults, assets, alerts,
the inbox trigger), running dbt, and running the DAGs in-process for ``dua run``.
"""
