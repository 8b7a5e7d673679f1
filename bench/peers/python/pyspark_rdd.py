"""PySpark with the RDD API as a peer, local[N] (BENCH_PARALLELISM): the benchmark's questions as
Python lambdas over RDDs of lines, written with saveAsTextFile as the baseline's CSV rows.

    python pyspark_rdd.py wordcount <input.txt> <output-dir>
    python pyspark_rdd.py groupby <input.csv> <output-dir>
    python pyspark_rdd.py join <orders.csv> <customers.csv> <output-dir>
    python pyspark_rdd.py distinct <input.csv> <output-dir>
"""

import re
import sys
from operator import add

from pyspark import SparkContext
from spark_common import spark_conf, stop

# bench/shared/word-separator.ts
SEPARATOR = re.compile(r"[^a-z0-9']+")


def words(line):
    return [w for w in SEPARATOR.split(line.lower()) if w]


def key_value_one(line):
    key, _, value = line.split(",")
    return key, (int(value), 1)


def add_pairs(a, b):
    return a[0] + b[0], a[1] + b[1]


def order_by_customer(line):
    orderkey, custkey, amount = line.split(",")
    return int(custkey), (orderkey, amount)


def nation_by_customer(line):
    custkey, _, nation = line.split(",")
    return int(custkey), nation


def main(query, *args):
    *inputs, output = args
    sc = SparkContext(conf=spark_conf(f"bench: {query} (PySpark RDD)"))
    sc.setLogLevel("ERROR")
    try:
        if query == "wordcount":
            rows = sc.textFile(inputs[0]).flatMap(words).map(lambda w: (w, 1)).reduceByKey(add).map(lambda kv: f"{kv[0]},{kv[1]}")
        elif query == "groupby":
            rows = sc.textFile(inputs[0]).map(key_value_one).reduceByKey(add_pairs).map(lambda kv: f"{kv[0]},{kv[1][0]},{kv[1][1]}")
        elif query == "join":
            orders = sc.textFile(inputs[0]).map(order_by_customer)
            customers = sc.textFile(inputs[1]).map(nation_by_customer)
            rows = orders.join(customers).map(lambda kv: f"{kv[1][0][0]},{kv[1][0][1]},{kv[1][1]}")
        elif query == "distinct":
            # Each pair is written in one canonical form (generate/distinct-csv.ts): equal pairs are equal lines.
            rows = sc.textFile(inputs[0]).distinct()
        else:
            sys.exit(f"unknown query {query!r}: expected wordcount, groupby, join or distinct")
        rows.saveAsTextFile(output)
    finally:
        stop(sc)


if __name__ == "__main__":
    main(*sys.argv[1:])
