package tsflink.flink;

import org.apache.flink.api.common.functions.Partitioner;

/** Sends each batch to the subtask the Node producer chose for it (tsflink's own partitioning: hash, rebalance, forward). */
public final class TargetPartitioner implements Partitioner<Integer> {
  private static final long serialVersionUID = 1L;

  @Override
  public int partition(Integer target, int numPartitions) {
    if (target < 0 || target >= numPartitions) {
      throw new IllegalStateException("batch for subtask " + target + " of " + numPartitions);
    }
    return target;
  }
}
