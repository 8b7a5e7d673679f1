"""PyFlink with the Table API in batch mode as a peer, at parallelism BENCH_PARALLELISM: the
benchmark's questions as Table API queries over filesystem/CSV tables (Flink's built-in functions
only, no Python UDF; WordCount's UNNEST of the split line is SQL, which the Table API's
expressions cannot say), written by a filesystem/CSV sink as the baseline's CSV rows.

    python pyflink_table.py wordcount <input.txt> <output-dir>
    python pyflink_table.py groupby <input.csv> <output-dir>
    python pyflink_table.py join <orders.csv> <customers.csv> <output-dir>
    python pyflink_table.py distinct <input.csv> <output-dir>
"""

import os
import shutil
import sys
import threading

import pyflink.java_gateway as java_gateway
from pyflink.table import DataTypes, EnvironmentSettings, Schema, TableDescriptor, TableEnvironment
from pyflink.table.expressions import col, lit

# PyFlink starts its JVM (which runs the job in a local MiniCluster) with subprocess.Popen, keeps no
# handle on it, and the JVM ends only when its watchdog's ping (a call back into this process every
# 10 s) fails: an unwaited-for JVM outliving this process by seconds. Keep the handle, answer the
# ping "stop" once the job is done (the JVM then shuts down: PythonGatewayServer.main) and wait for
# the JVM, so that its CPU time is counted and nothing outlives the run.
_jvm = []
_done = threading.Event()
_launch = java_gateway.launch_gateway_server_process


def _launch_and_keep(env, args):
    proc = _launch(env, args)
    _jvm.append(proc)
    # Its stderr is a pipe that PyFlink reads only when the JVM fails to start: pass it on, or a
    # chatty JVM would fill the pipe and block.
    threading.Thread(target=shutil.copyfileobj, args=(proc.stderr, sys.stderr.buffer), daemon=True).start()
    return proc


class _Watchdog:
    def ping(self):
        return not _done.wait(10)

    class Java:
        implements = ["org.apache.flink.client.python.PythonGatewayServer$Watchdog"]


java_gateway.launch_gateway_server_process = _launch_and_keep
java_gateway.Watchdog = _Watchdog


def table(t_env, path, fields, fmt="csv"):
    schema = Schema.new_builder()
    for name, data_type in fields:
        schema.column(name, data_type)
    return t_env.from_descriptor(TableDescriptor.for_connector("filesystem").schema(schema.build()).option("path", path).format(fmt).build())


def sink(t_env, path, fields):
    schema = Schema.new_builder()
    for name, data_type in fields:
        schema.column(name, data_type)
    descriptor = TableDescriptor.for_connector("filesystem").schema(schema.build()).option("path", path).format("csv")
    # Unquoted, as the baseline writes them (Flink's CSV writer quotes a value with an apostrophe).
    descriptor = descriptor.option("csv.disable-quote-character", "true").build()
    t_env.create_temporary_table("sink", descriptor)
    return "sink"


def main(query, *args):
    *inputs, output = args
    t_env = TableEnvironment.create(EnvironmentSettings.in_batch_mode())
    t_env.get_config().set("parallelism.default", os.environ.get("BENCH_PARALLELISM", "2"))
    STRING, BIGINT = DataTypes.STRING(), DataTypes.BIGINT()
    if query == "wordcount":
        # Each line one STRING (the raw format reads a file line by line), lower-cased, every run of
        # separators (bench/shared/word-separator.ts) made one space, split, unnested, empty pieces dropped.
        t_env.create_temporary_view("lines", table(t_env, inputs[0], [("line", STRING)], fmt="raw"))
        result = t_env.sql_query(
            "SELECT word, COUNT(*) FROM lines CROSS JOIN UNNEST(SPLIT(REGEXP_REPLACE(LOWER(line), '[^a-z0-9'']+', ' '), ' ')) AS t (word) "
            "WHERE word <> '' GROUP BY word"
        )
        out = sink(t_env, output, [("word", STRING), ("n", BIGINT)])
    elif query == "groupby":
        data = table(t_env, inputs[0], [("key", STRING), ("category", STRING), ("value", BIGINT)])
        result = data.group_by(col("key")).select(col("key"), col("value").sum, lit(1).count)
        out = sink(t_env, output, [("key", STRING), ("total", BIGINT), ("n", BIGINT)])
    elif query == "join":
        orders = table(t_env, inputs[0], [("orderkey", BIGINT), ("custkey", BIGINT), ("amount", BIGINT)])
        customers = table(t_env, inputs[1], [("ckey", BIGINT), ("name", STRING), ("nation", STRING)])
        result = orders.join(customers, col("custkey") == col("ckey")).select(col("orderkey"), col("amount"), col("nation"))
        out = sink(t_env, output, [("orderkey", BIGINT), ("amount", BIGINT), ("nation", STRING)])
    elif query == "distinct":
        result = table(t_env, inputs[0], [("user", BIGINT), ("item", BIGINT)]).distinct()
        out = sink(t_env, output, [("user", BIGINT), ("item", BIGINT)])
    else:
        sys.exit(f"unknown query {query!r}: expected wordcount, groupby, join or distinct")
    result.execute_insert(out).wait()
    _done.set()
    status = max((proc.wait() for proc in _jvm), default=0)
    # Without its JVM, PyFlink's clean-up at exit only logs connection errors: leave without it.
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(status)


if __name__ == "__main__":
    main(*sys.argv[1:])
