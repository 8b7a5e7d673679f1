"""Polars (Python) as a peer: the benchmark's questions as lazy queries, run by Polars' streaming
engine (``sink_csv``) on POLARS_MAX_THREADS threads (the driver sets it), written as the same
CSV rows as the baseline's.

    python polars_peer.py wordcount <input.txt> <output.csv>
    python polars_peer.py groupby <input.csv> <output.csv>
    python polars_peer.py join <orders.csv> <customers.csv> <output.csv>
    python polars_peer.py distinct <input.csv> <output.csv>
"""

import sys

import polars as pl

# The words of a lower-cased line: runs of letters, digits and apostrophes, which are exactly the
# non-empty pieces of a split on bench/shared/word-separator.ts's /[^a-z0-9']+/.
WORD = r"[a-z0-9']+"


def csv(path, schema):
    return pl.scan_csv(path, has_header=False, schema=schema)


def main(query, *args):
    *inputs, output = args
    if query == "wordcount":
        # One String column per line: a separator and no quote character that the text never holds.
        lines = pl.scan_csv(inputs[0], has_header=False, separator="\x1f", quote_char=None, schema={"line": pl.String})
        q = (
            lines.select(pl.col("line").str.to_lowercase().str.extract_all(WORD).alias("word"))
            .explode("word")
            .drop_nulls("word")
            .group_by("word")
            .agg(pl.len())
        )
    elif query == "groupby":
        rows = csv(inputs[0], {"key": pl.String, "category": pl.String, "value": pl.Int64})
        q = rows.group_by("key").agg(pl.col("value").sum(), pl.len())
    elif query == "join":
        orders = csv(inputs[0], {"orderkey": pl.Int64, "custkey": pl.Int64, "amount": pl.Int64})
        customers = csv(inputs[1], {"custkey": pl.Int64, "name": pl.String, "nation": pl.String})
        q = orders.join(customers, on="custkey", how="inner").select("orderkey", "amount", "nation")
    elif query == "distinct":
        q = csv(inputs[0], {"user": pl.Int64, "item": pl.Int64}).unique()
    else:
        sys.exit(f"unknown query {query!r}: expected wordcount, groupby, join or distinct")
    q.sink_csv(output, include_header=False)


if __name__ == "__main__":
    main(*sys.argv[1:])
