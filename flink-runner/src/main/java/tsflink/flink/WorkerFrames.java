package tsflink.flink;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;

/**
 * The frames between a {@link NodeTask} and its Node worker process (see docs in
 * src/runners/flink/worker-frames.ts, which is the other side). All integers big-endian.
 *
 * <p>JVM to worker (stdin), per task: {@code TASK u8=3, length u32, header JSON}, then for each
 * CREDIT the worker sends one {@code DATA u8=1, slot u32, length u32, batch} frame or, at the end
 * of the input, {@code END u8=2}; after its DONE a worker waits for the next TASK (end of stdin:
 * it exits).
 * Worker to JVM (stdout): {@code u8 type, a u32, b u32, length u32, payload} with type
 * {@code BATCH=1} (a = output index, b = target subtask, payload = a binary record batch),
 * {@code SIDE=2} (payload opaque to the JVM: results, printed lines, accumulators),
 * {@code ERROR=3} (payload = the error as JSON), {@code DONE=4}, {@code KEYED=5} (a = output
 * index, b = record count n, payload = n × (u32 key length, key, u32 sort length, sort key), then
 * a record batch of the n records), {@code CREDIT=6} (the worker reads its next input frame now),
 * {@code AGGREGATES=7} (payload = a record batch of what a step's subtask aggregated: {@link WorkerAggregates}).
 */
final class WorkerFrames {
  static final int IN_DATA = 1;
  static final int IN_END = 2;
  static final int IN_TASK = 3;

  static final int OUT_BATCH = 1;
  static final int OUT_SIDE = 2;
  static final int OUT_ERROR = 3;
  static final int OUT_DONE = 4;
  static final int OUT_KEYED = 5;
  static final int OUT_CREDIT = 6;
  static final int OUT_AGGREGATES = 7;

  /** Largest payload accepted from a worker (a batch is 256 KiB; a side record may hold a collect() result). */
  static final int MAX_FRAME = 1 << 30;

  private WorkerFrames() {}

  static void writeData(DataOutputStream out, int slot, byte[] batch) throws IOException {
    out.writeByte(IN_DATA);
    out.writeInt(slot);
    out.writeInt(batch.length);
    out.write(batch);
  }

  /** Starts a task: its header (JSON: task, subtask, attempt, superstep, spool folder); its DATA and END follow. */
  static void writeTask(DataOutputStream out, byte[] header) throws IOException {
    out.writeByte(IN_TASK);
    out.writeInt(header.length);
    out.write(header);
  }

  static void writeEnd(DataOutputStream out) throws IOException {
    out.writeByte(IN_END);
  }

  /** One frame from the worker, or null at end of stream. */
  static Frame read(DataInputStream in) throws IOException {
    int type = in.read();
    if (type < 0) return null;
    try {
      int a = in.readInt();
      int b = in.readInt();
      int length = in.readInt();
      if (length < 0 || length > MAX_FRAME) throw new IOException("bad frame length " + length + " from the Node worker");
      byte[] payload = new byte[length];
      in.readFully(payload);
      return new Frame(type, a, b, payload);
    } catch (EOFException e) {
      return null;
    }
  }

  static final class Frame {
    final int type;
    final int a;
    final int b;
    final byte[] payload;

    Frame(int type, int a, int b, byte[] payload) {
      this.type = type;
      this.a = a;
      this.b = b;
      this.payload = payload;
    }
  }
}
