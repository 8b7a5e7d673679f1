package tsflink.flink;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import org.apache.flink.api.common.ExecutionConfig;
import org.apache.flink.api.common.typeutils.TypeComparator;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.java.typeutils.ValueTypeInfo;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.apache.flink.core.memory.MemorySegment;
import org.apache.flink.core.memory.MemorySegmentFactory;
import org.apache.flink.shaded.jackson2.com.fasterxml.jackson.databind.JsonNode;
import org.apache.flink.shaded.jackson2.com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

/**
 * The canonical key vectors that the TypeScript tests check too (test/serde/key-codec.test.ts):
 * hash, partitions and order of every key, through CanonicalKey and through the comparator,
 * serializer and normalized keys Flink builds for it.
 */
class CanonicalKeyTest {
  private static final JsonNode VECTORS = read();

  private static JsonNode read() {
    try {
      // surefire runs in flink-runner/; the vectors live with the TypeScript tests.
      return new ObjectMapper().readTree(new File("../test/vectors/canonical-keys.json"));
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private static CanonicalKey key(JsonNode v) {
    return new CanonicalKey(HexFormat.of().parseHex(v.get("hex").asText()));
  }

  private static int sign(int n) {
    return Integer.signum(n);
  }

  @Test
  void murmur3GivesThePublishedReferenceValues() {
    for (JsonNode v : VECTORS.get("murmur")) {
      byte[] b = HexFormat.of().parseHex(v.get("hex").asText());
      assertEquals(v.get("hash").asLong(), Integer.toUnsignedLong(CanonicalKey.murmur3(b, 0, b.length, (int) v.get("seed").asLong())), v.toString());
    }
  }

  @Test
  void everyKeyHasItsHashAndPartitions() {
    for (JsonNode v : VECTORS.get("keys")) {
      CanonicalKey k = key(v);
      assertEquals(v.get("hash").asLong(), Integer.toUnsignedLong(k.hashCode()), v.toString());
      assertEquals(v.get("partition3").asInt(), k.partition(3), v.toString());
      assertEquals(v.get("partition4").asInt(), k.partition(4), v.toString());
      assertEquals(v.get("partition4").asInt(), new CanonicalPartitioner().partition(k, 4), v.toString());
    }
  }

  @Test
  void keysOrderAsTheirRanksInCompareToFlinksComparatorAndNormalizedKeys() {
    ValueTypeInfo<CanonicalKey> info = new ValueTypeInfo<>(CanonicalKey.class);
    assertTrue(info.isKeyType());
    TypeComparator<CanonicalKey> comparator = info.createComparator(true, new ExecutionConfig());
    assertTrue(comparator.supportsNormalizedKey());
    List<JsonNode> keys = new ArrayList<>();
    VECTORS.get("keys").forEach(keys::add);
    for (JsonNode a : keys) {
      for (JsonNode b : keys) {
        int expected = sign(a.get("rank").asInt() - b.get("rank").asInt());
        String what = a.get("key") + " vs " + b.get("key");
        assertEquals(expected, sign(key(a).compareTo(key(b))), what);
        assertEquals(expected, sign(comparator.compare(key(a), key(b))), what);
        assertEquals(expected == 0, key(a).equals(key(b)), what);
        // A normalized key of 4 bytes never contradicts the order (ties fall back to compare).
        int normalized = sign(compareNormalized(comparator, key(a), key(b), 4));
        assertTrue(normalized == 0 || normalized == expected, what);
      }
    }
  }

  @Test
  void flinksSerializerRoundTripsEveryKey() throws Exception {
    TypeSerializer<CanonicalKey> serializer = new ValueTypeInfo<>(CanonicalKey.class).createSerializer(new ExecutionConfig());
    for (JsonNode v : VECTORS.get("keys")) {
      DataOutputSerializer out = new DataOutputSerializer(64);
      serializer.serialize(key(v), out);
      CanonicalKey back = serializer.deserialize(new DataInputDeserializer(out.getCopyOfBuffer()));
      assertEquals(key(v), back);
      assertEquals(key(v).hashCode(), back.hashCode());
      assertEquals(key(v), serializer.copy(key(v)));
    }
  }

  private static int compareNormalized(TypeComparator<CanonicalKey> c, CanonicalKey a, CanonicalKey b, int len) {
    MemorySegment x = MemorySegmentFactory.wrap(new byte[len]);
    MemorySegment y = MemorySegmentFactory.wrap(new byte[len]);
    c.putNormalizedKey(a, x, 0, len);
    c.putNormalizedKey(b, y, 0, len);
    return x.compare(y, 0, 0, len);
  }
}
