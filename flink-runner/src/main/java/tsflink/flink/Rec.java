package tsflink.flink;

import org.apache.flink.api.common.typeinfo.BasicTypeInfo;
import org.apache.flink.api.common.typeinfo.PrimitiveArrayTypeInfo;
import org.apache.flink.api.java.tuple.Tuple5;
import org.apache.flink.api.java.typeutils.TupleTypeInfo;
import org.apache.flink.api.java.typeutils.ValueTypeInfo;

/**
 * What flows between the Flink operators of a tsflink job: {@code (slot, target, key, sort, payload)}.
 * A batch ({@code target} ≥ 0: the consumer subtask tsflink's partitioner chose) holds many
 * records in tsflink's record format; a keyed record ({@code target} = {@link #SINGLE}) is one
 * record's value with its canonical key and sort key, which Flink partitions, groups and joins
 * on. {@code slot} is the consumer's input slot, or on a task's output the output index; -1
 * marks a side record for the client, -2 a source's trigger.
 */
public final class Rec extends Tuple5<Integer, Integer, CanonicalKey, CanonicalKey, byte[]> {
  private static final long serialVersionUID = 1L;
  public static final int SINGLE = -1;
  public static final int KEY = 2;
  public static final int SORT = 3;
  /**
   * The empty key (of a batch, or a record without one): a new instance each time, since Flink
   * may deserialize into a record's fields when it reuses objects.
   */
  static CanonicalKey noKey() {
    return new CanonicalKey();
  }

  public static final TupleTypeInfo<Rec> TYPE = new TupleTypeInfo<>(Rec.class, BasicTypeInfo.INT_TYPE_INFO, BasicTypeInfo.INT_TYPE_INFO,
      new ValueTypeInfo<>(CanonicalKey.class), new ValueTypeInfo<>(CanonicalKey.class), PrimitiveArrayTypeInfo.BYTE_PRIMITIVE_ARRAY_TYPE_INFO);

  public Rec() {}

  public Rec(int slot, int target, CanonicalKey key, CanonicalKey sort, byte[] payload) {
    super(slot, target, key, sort, payload);
  }

  /** A batch (or a side record, a trigger): no keys. */
  public static Rec batch(int slot, int target, byte[] payload) {
    return new Rec(slot, target, noKey(), noKey(), payload);
  }
}
