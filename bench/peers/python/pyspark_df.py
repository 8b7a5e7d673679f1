"""PySpark with the DataFrame API as a peer, local[N] (BENCH_PARALLELISM): the benchmark's
questions as DataFrame queries (Spark SQL's built-in functions only, no Python UDF), written with
DataFrameWriter.csv as the baseline's CSV rows.

    python pyspark_df.py wordcount <input.txt> <output-dir>
    python pyspark_df.py groupby <input.csv> <output-dir>
    python pyspark_df.py join <orders.csv> <customers.csv> <output-dir>
    python pyspark_df.py distinct <input.csv> <output-dir>
"""

import sys

from pyspark.sql import SparkSession
from pyspark.sql import functions as F
from spark_common import spark_conf, stop


def main(query, *args):
    *inputs, output = args
    spark = SparkSession.builder.config(conf=spark_conf(f"bench: {query} (PySpark DataFrame)")).getOrCreate()
    spark.sparkContext.setLogLevel("ERROR")
    try:
        if query == "wordcount":
            # bench/shared/word-separator.ts on the lower-cased line, empty pieces dropped.
            words = spark.read.text(inputs[0]).select(F.explode(F.split(F.lower("value"), "[^a-z0-9']+")).alias("word"))
            rows = words.where(F.col("word") != "").groupBy("word").count()
        elif query == "groupby":
            data = spark.read.csv(inputs[0], schema="key STRING, category STRING, value BIGINT")
            rows = data.groupBy("key").agg(F.sum("value"), F.count(F.lit(1)))
        elif query == "join":
            orders = spark.read.csv(inputs[0], schema="orderkey BIGINT, custkey BIGINT, amount BIGINT")
            customers = spark.read.csv(inputs[1], schema="custkey BIGINT, name STRING, nation STRING")
            rows = orders.join(customers, "custkey").select("orderkey", "amount", "nation")
        elif query == "distinct":
            rows = spark.read.csv(inputs[0], schema="user BIGINT, item BIGINT").distinct()
        else:
            sys.exit(f"unknown query {query!r}: expected wordcount, groupby, join or distinct")
        rows.write.csv(output)
    finally:
        stop(spark.sparkContext)


if __name__ == "__main__":
    main(*sys.argv[1:])
