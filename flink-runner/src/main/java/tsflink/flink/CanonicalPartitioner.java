package tsflink.flink;

import org.apache.flink.api.common.functions.Partitioner;

/** Sends a keyed record to the subtask tsflink's hash gives its canonical key. */
public final class CanonicalPartitioner implements Partitioner<CanonicalKey> {
  private static final long serialVersionUID = 1L;

  @Override
  public int partition(CanonicalKey key, int numPartitions) {
    return key.partition(numPartitions);
  }
}
