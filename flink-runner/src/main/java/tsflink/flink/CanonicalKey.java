package tsflink.flink;

import java.io.IOException;
import java.util.Arrays;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;
import org.apache.flink.core.memory.MemorySegment;
import org.apache.flink.types.CopyableValue;
import org.apache.flink.types.NormalizableKey;

/**
 * A key in tsflink's canonical encoding (src/serde/key-codec.ts writes it; this side only
 * compares, hashes and moves the bytes). Flink treats it as a {@code Value} key type: it
 * partitions, groups, sorts and joins on it with tsflink's equality (the bytes), order (unsigned
 * bytes, shorter first on a common prefix) and hash (MurmurHash3 x86_32, seed 0) rather than
 * Flink's {@code byte[]} comparator. Vectors shared with the TypeScript tests:
 * test/vectors/canonical-keys.json.
 */
public final class CanonicalKey implements NormalizableKey<CanonicalKey>, CopyableValue<CanonicalKey> {
  private static final long serialVersionUID = 1L;
  private static final byte[] EMPTY = new byte[0];

  private byte[] bytes;
  private int hash;
  private boolean hashed;

  public CanonicalKey() {
    this(EMPTY);
  }

  public CanonicalKey(byte[] bytes) {
    this.bytes = bytes;
  }

  public byte[] bytes() {
    return bytes;
  }

  /** tsflink's hash of the key. */
  @Override
  public int hashCode() {
    if (!hashed) {
      hash = murmur3(bytes, 0, bytes.length, 0);
      hashed = true;
    }
    return hash;
  }

  /** The subtask (of {@code parallelism}) the key belongs to: its hash, unsigned, mod parallelism. */
  public int partition(int parallelism) {
    return Integer.remainderUnsigned(hashCode(), parallelism);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof CanonicalKey && Arrays.equals(bytes, ((CanonicalKey) o).bytes);
  }

  @Override
  public int compareTo(CanonicalKey o) {
    return Arrays.compareUnsigned(bytes, o.bytes);
  }

  @Override
  public String toString() {
    StringBuilder b = new StringBuilder();
    for (byte x : bytes) b.append(String.format("%02x", x & 0xff));
    return b.toString();
  }

  // Value: a length and the bytes.

  @Override
  public void write(DataOutputView out) throws IOException {
    out.writeInt(bytes.length);
    out.write(bytes);
  }

  @Override
  public void read(DataInputView in) throws IOException {
    int n = in.readInt();
    byte[] b = n == 0 ? EMPTY : new byte[n];
    in.readFully(b);
    bytes = b;
    hashed = false;
  }

  // CopyableValue: Flink copies keys without Kryo.

  @Override
  public int getBinaryLength() {
    return -1;
  }

  @Override
  public void copyTo(CanonicalKey target) {
    target.bytes = bytes;
    target.hash = hash;
    target.hashed = hashed;
  }

  @Override
  public CanonicalKey copy() {
    CanonicalKey k = new CanonicalKey();
    copyTo(k);
    return k;
  }

  @Override
  public void copy(DataInputView source, DataOutputView target) throws IOException {
    int n = source.readInt();
    target.writeInt(n);
    target.write(source, n);
  }

  // NormalizableKey: a prefix of the bytes, padded with zeros (below every byte that follows a
  // key's prefix), always a prefix only, so that ties fall back to compareTo.

  @Override
  public int getMaxNormalizedKeyLen() {
    return Integer.MAX_VALUE;
  }

  @Override
  public void copyNormalizedKey(MemorySegment memory, int offset, int len) {
    int n = Math.min(len, bytes.length);
    memory.put(offset, bytes, 0, n);
    for (int i = n; i < len; i++) memory.put(offset + i, (byte) 0);
  }

  /** MurmurHash3, x86 32-bit. */
  static int murmur3(byte[] data, int from, int length, int seed) {
    int h = seed;
    int blocks = length & ~3;
    for (int i = 0; i < blocks; i += 4) {
      int p = from + i;
      int k = (data[p] & 0xff) | (data[p + 1] & 0xff) << 8 | (data[p + 2] & 0xff) << 16 | (data[p + 3] & 0xff) << 24;
      k *= 0xcc9e2d51;
      k = Integer.rotateLeft(k, 15);
      k *= 0x1b873593;
      h ^= k;
      h = Integer.rotateLeft(h, 13);
      h = h * 5 + 0xe6546b64;
    }
    int k = 0;
    int tail = from + blocks;
    switch (length & 3) {
      case 3:
        k ^= (data[tail + 2] & 0xff) << 16;
        // falls through
      case 2:
        k ^= (data[tail + 1] & 0xff) << 8;
        // falls through
      case 1:
        k ^= data[tail] & 0xff;
        k *= 0xcc9e2d51;
        k = Integer.rotateLeft(k, 15);
        k *= 0x1b873593;
        h ^= k;
        break;
      default:
        break;
    }
    h ^= length;
    h ^= h >>> 16;
    h *= 0x85ebca6b;
    h ^= h >>> 13;
    h *= 0xc2b2ae35;
    h ^= h >>> 16;
    return h;
  }
}
