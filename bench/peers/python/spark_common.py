"""What the PySpark peers share: a local[N] session configured as the benchmark runs it, and a
clean stop that waits for Spark's JVM (so that its CPU time is counted and nothing outlives the run)."""

import os

from pyspark import SparkConf


def spark_conf(app):
    parallelism = os.environ.get("BENCH_PARALLELISM", "2")
    # Spark's scratch space (spark.local.dir) defaults to java.io.tmpdir, which the bench sets per peer.
    return (
        SparkConf()
        .setMaster(f"local[{parallelism}]")
        .setAppName(app)
        .set("spark.ui.enabled", "false")
        .set("spark.ui.showConsoleProgress", "false")
        # The JVM's heap (local mode: driver and executor in one JVM); Spark's default of 1g is for a laptop.
        .set("spark.driver.memory", os.environ.get("BENCH_SPARK_MEMORY", "4g"))
    )


def stop(sc):
    """Stops the context, then closes the JVM's stdin (PythonGatewayServer exits on EOF) and waits for it."""
    gateway = sc._gateway
    sc.stop()
    proc = getattr(gateway, "proc", None)
    if proc is not None:
        proc.stdin.close()
        proc.wait()
