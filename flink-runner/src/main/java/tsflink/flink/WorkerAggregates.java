package tsflink.flink;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.aggregators.Aggregator;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;
import org.apache.flink.types.Value;

/**
 * The aggregates of a tsflink iteration's step as Flink carries them between supersteps: one
 * Flink aggregator whose value is the list of every step subtask's contribution (a record batch
 * of [name, aggregate] pairs, opaque to the JVM). The Node workers merge the contributions with
 * the user's aggregators, which only they can run: each step subtask the previous superstep's
 * (Flink hands the merged list to every task), the convergence check this superstep's (it reads
 * them as records; see PlanBinder).
 */
public final class WorkerAggregates implements Aggregator<WorkerAggregates.Contributions> {
  private static final long serialVersionUID = 1L;
  /** The name the iteration registers it under. */
  public static final String NAME = "tsflink-aggregates";

  private Contributions value = new Contributions();

  @Override
  public Contributions getAggregate() {
    return value;
  }

  @Override
  public void aggregate(Contributions element) {
    value.batches.addAll(element.batches);
  }

  /** Adds one subtask's contribution. */
  public void add(byte[] batch) {
    value.batches.add(batch);
  }

  @Override
  public void reset() {
    value = new Contributions();
  }

  /** The contributions, each a record batch. */
  public static final class Contributions implements Value {
    private static final long serialVersionUID = 1L;
    final List<byte[]> batches = new ArrayList<>();

    public List<byte[]> batches() {
      return batches;
    }

    @Override
    public void write(DataOutputView out) throws IOException {
      out.writeInt(batches.size());
      for (byte[] b : batches) {
        out.writeInt(b.length);
        out.write(b);
      }
    }

    @Override
    public void read(DataInputView in) throws IOException {
      batches.clear();
      int n = in.readInt();
      for (int i = 0; i < n; i++) {
        byte[] b = new byte[in.readInt()];
        in.readFully(b);
        batches.add(b);
      }
    }
  }
}
