package tsflink.flink;

import java.io.ByteArrayOutputStream;
import java.io.IOException;

/**
 * tsflink's record batches (docs/record-format.md) as far as the JVM needs them: splitting one
 * into its records' values, and assembling records into one.
 */
final class RecordBatches {
  static final int HEADER = 16;
  /** A batch is sent on once it holds this many bytes (the worker's batches are as large). */
  static final int BATCH_BYTES = 256 * 1024;

  private RecordBatches() {}

  /** The values of the {@code count} records of the batch that starts at {@code offset}. */
  static byte[][] split(byte[] data, int offset, int count) throws IOException {
    if (data.length - offset < HEADER || data[offset] != 0x54 || data[offset + 1] != 0x46 || data[offset + 2] != 0x52 || data[offset + 3] != 0x42) {
      throw new IOException("a keyed frame from the Node worker does not hold a record batch");
    }
    int p = offset + HEADER;
    byte[][] values = new byte[count][];
    for (int i = 0; i < count; i++) {
      int length = 0;
      for (int shift = 0; ; shift += 7) {
        if (p >= data.length || shift > 28) throw new IOException("a record batch from the Node worker is truncated");
        int b = data[p++] & 0xff;
        length |= (b & 0x7f) << shift;
        if ((b & 0x80) == 0) break;
      }
      if (length < 0 || p + length > data.length) throw new IOException("a record batch from the Node worker is truncated");
      values[i] = java.util.Arrays.copyOfRange(data, p, p + length);
      p += length;
    }
    return values;
  }

  /** Assembles records (their values) into one batch. */
  static final class Builder {
    private final ByteArrayOutputStream body = new ByteArrayOutputStream();
    private int count;

    void add(byte[] value) {
      int n = value.length;
      while ((n & ~0x7f) != 0) {
        body.write((n & 0x7f) | 0x80);
        n >>>= 7;
      }
      body.write(n);
      body.write(value, 0, value.length);
      count++;
    }

    boolean full() {
      return body.size() >= BATCH_BYTES;
    }

    boolean isEmpty() {
      return count == 0;
    }

    /** The batch of the records added since the last call. */
    byte[] finish() {
      byte[] b = body.toByteArray();
      byte[] out = new byte[HEADER + b.length];
      out[0] = 0x54;
      out[1] = 0x46;
      out[2] = 0x52;
      out[3] = 0x42;
      out[4] = 1;
      putIntLE(out, 8, count);
      putIntLE(out, 12, b.length);
      System.arraycopy(b, 0, out, HEADER, b.length);
      body.reset();
      count = 0;
      return out;
    }

    private static void putIntLE(byte[] a, int at, int v) {
      a[at] = (byte) v;
      a[at + 1] = (byte) (v >>> 8);
      a[at + 2] = (byte) (v >>> 16);
      a[at + 3] = (byte) (v >>> 24);
    }
  }
}
