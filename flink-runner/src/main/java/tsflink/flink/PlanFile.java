package tsflink.flink;

import java.io.File;
import java.io.IOException;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import java.lang.reflect.RecordComponent;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.flink.api.common.operators.base.JoinOperatorBase.JoinHint;
import org.apache.flink.api.java.operators.join.JoinType;
import org.apache.flink.shaded.jackson2.com.fasterxml.jackson.annotation.JsonProperty;
import org.apache.flink.shaded.jackson2.com.fasterxml.jackson.annotation.JsonSubTypes;
import org.apache.flink.shaded.jackson2.com.fasterxml.jackson.annotation.JsonTypeInfo;
import org.apache.flink.shaded.jackson2.com.fasterxml.jackson.databind.DeserializationFeature;
import org.apache.flink.shaded.jackson2.com.fasterxml.jackson.databind.JsonMappingException;
import org.apache.flink.shaded.jackson2.com.fasterxml.jackson.databind.JsonNode;
import org.apache.flink.shaded.jackson2.com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.flink.shaded.jackson2.com.fasterxml.jackson.databind.json.JsonMapper;

/**
 * flink-plan.json, the plan file the TypeScript client writes for this binder, as records: the
 * Java side of src/runners/flink/plan-file.ts, whose interfaces mirror these one for one (same
 * names, same fields). Both sides are held to the shared vector test/vectors/flink-plan.json
 * (test/runners/plan-vectors.test.ts writes and checks it, PlanFileTest binds it).
 *
 * <p>Every field is required, and none may be null but those documented as nullable (a task
 * without a native operator has {@code "native": null}, a plan without iterations
 * {@code "iterations": []}): the client always writes every field, so a missing one means a
 * client of another format, refused by name rather than run with a default.
 *
 * @param version the format's version, {@link #VERSION}
 * @param retries retries of each subtask before the job fails (0: none)
 * @param tasks in topological order
 * @param ship nullable: the code shipped with the job to a remote cluster (code-bundle.ts); null
 *     on the in-process MiniCluster, whose workers run the client's own files
 */
public record PlanFile(int version, String jobName, int retries, Worker worker, List<Task> tasks, List<Iteration> iterations, @Nullable Ship ship) {
  /** The flink-plan.json version this binder reads (src/runners/flink/plan-export.ts writes it). */
  static final int VERSION = 1;

  /**
   * Unknown properties fail the binding: the version is bumped with every change of the format
   * (the vector changes with it), so a property this binder does not know is a client of another
   * format whose job would run with part of its plan ignored (a new kind of input, a sort key)
   * — refused, naming the property, rather than run wrong. Every property must be there, and
   * only a {@link Nullable} one may be null ({@link #checkNulls}).
   */
  private static final ObjectMapper JSON = JsonMapper.builder()
      .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
      .enable(DeserializationFeature.FAIL_ON_MISSING_CREATOR_PROPERTIES)
      .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
      .build();

  /** A field of the file that may be null (it is never absent: the client writes null). */
  @Retention(RetentionPolicy.RUNTIME)
  @Target(ElementType.RECORD_COMPONENT)
  @interface Nullable {}

  /** How the Node workers are started: their command line, environment and working folder. */
  public record Worker(List<String> command, Map<String, String> env, String cwd) {}

  /**
   * A task of tsflink's physical plan: one {@code mapPartition(NodeTask)} at its parallelism.
   *
   * @param side has a collect() or output() sink: its side records travel as records of the
   *     job's result (the others' as an accumulator)
   * @param inputs its slots: its regular inputs in order, then its broadcast sets
   * @param nativeOperator nullable ({@code "native"}): the operator Flink runs in front of the
   *     task's Node worker
   */
  public record Task(
      int id, String name, int parallelism, boolean side, List<Input> inputs,
      @JsonProperty("native") @Nullable Native nativeOperator) {}

  /** An input of a task: output {@code output} (the exchange's position among the producer's outputs) of task {@code task}. */
  public record Input(int task, int output, Records records) {}

  /** How an input's records travel (plan-export.ts says when each is chosen). */
  public enum Records {
    /** Batches, routed to the consumer subtask tsflink's partitioner chose. */
    @JsonProperty("batches") BATCHES,
    /** One Flink record per tsflink record with its canonical key: Flink partitions them by it. */
    @JsonProperty("keyed") KEYED,
    /** One Flink record per tsflink record, which Flink rebalances. */
    @JsonProperty("single") SINGLE,
    /** A broadcast set's batches, each sent once: Flink broadcasts them ({@code withBroadcastSet}). */
    @JsonProperty("broadcast") BROADCAST
  }

  /** An exchange as its producer's output: output {@code output} of task {@code task}. */
  public record ExchangeRef(int task, int output) {}

  /**
   * An iteration of the plan, a Flink bulk iteration over the batches of all its heads.
   *
   * @param tasks its step's tasks, the first (a head) and the last (the one that closes it) in
   *     the plan's order
   * @param criterion nullable: the exchange whose emptiness ends the iteration (a delta
   *     iteration's new workset, a bulk iteration's termination criterion), null for none
   * @param result the task that reads the iteration's result
   * @param aggregators registered aggregators: the step's workers send their aggregates each superstep
   * @param convergence a convergence criterion: the binder adds the check task that decides
   *     whether the iteration goes on
   */
  public record Iteration(
      String name, int maxIterations, List<Integer> tasks, List<Head> heads,
      @Nullable ExchangeRef criterion, int result, boolean aggregators, boolean convergence) {}

  /** A head of an iteration: task {@code task}, fed by {@code initial} in the first superstep and by {@code feedback} in the others. */
  public record Head(int task, ExchangeRef initial, ExchangeRef feedback) {}

  /**
   * The code shipped with a job to a remote cluster (src/runners/flink/code-bundle.ts: ShipSpec).
   *
   * @param runtime the files of the runtime zip
   * @param runtimeKey changes whenever a file of the runtime does: the zip's cache key
   * @param cachedFiles the user's registerCachedFile files, name to the client's path
   */
  public record Ship(String appDir, List<RuntimeEntry> runtime, String runtimeKey, Map<String, String> cachedFiles) {}

  /** An entry of the runtime zip: {@code as} its path in the zip, {@code from} the folder or file it comes from. */
  public record RuntimeEntry(String as, String from) {}

  /** The operator Flink runs itself in front of a task's Node worker ({@link NativeOperators}), by its {@code kind}. */
  @JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "kind")
  @JsonSubTypes({
    @JsonSubTypes.Type(value = Join.class, name = "join"),
    @JsonSubTypes.Type(value = Cross.class, name = "cross"),
    @JsonSubTypes.Type(value = Distinct.class, name = "distinct"),
    @JsonSubTypes.Type(value = First.class, name = "first"),
    @JsonSubTypes.Type(value = Groups.class, name = "groups")
  })
  public sealed interface Native permits Join, Cross, Distinct, First, Groups {}

  /** Flink's equi-join of the task's two inputs on their canonical keys, with the hint that matches tsflink's plan. */
  public record Join(JoinType joinType, JoinHint hint) implements Native {}

  /** Flink's cross of the task's two inputs, broadcasting the {@code broadcast} one. */
  public record Cross(Side broadcast) implements Native {}

  /** Flink's distinct on the canonical key. */
  public record Distinct() implements Native {}

  /** Flink's {@code groupBy(key)[.sortGroup(sort key)].first(n)}. */
  public record First(int n, boolean sorted) implements Native {}

  /** Flink's {@code groupBy(key)[.sortGroup(sort key)].reduceGroup}: each group to the worker whole. */
  public record Groups(boolean sorted) implements Native {}

  /** A side of a two-input operator. */
  public enum Side { FIRST, SECOND }

  /** Reads and binds a plan file. */
  static PlanFile read(File file) throws IOException {
    return of(JSON.readTree(file));
  }

  /**
   * Binds a plan file, its version checked first: a plan file of another version comes from
   * another tsflink release than this jar, whatever its shape, and is refused as such.
   *
   * @throws IllegalArgumentException of another version, or not of this schema (the message names
   *     the property and where it is)
   */
  static PlanFile of(JsonNode tree) {
    checkVersion(tree);
    try {
      PlanFile plan = JSON.treeToValue(tree, PlanFile.class);
      checkNulls(plan, "");
      return plan;
    } catch (JsonMappingException e) {
      String why = e.getOriginalMessage();
      // (Jackson's words name the feature that made it fail, not what the file lacks.)
      throw notOfTheSchema(where(e), why.startsWith("Missing creator property") ? "missing (every property is required)" : why, e);
    } catch (IOException e) {
      throw new IllegalArgumentException("flink-plan.json could not be bound: " + e.getMessage(), e);
    }
  }

  /** A plan file of another version is refused, naming both versions. */
  static void checkVersion(JsonNode plan) {
    JsonNode version = plan.path("version");
    if (!version.isInt() || version.asInt() != VERSION) {
      throw new IllegalArgumentException("flink-plan.json has version " + (version.isMissingNode() ? "(none)" : version.toString()) + "; this plan binder reads version " + VERSION
          + ": the tsflink client and the plan binder's jar are from different releases (run scripts/install-flink-deps.sh again)");
    }
  }

  private static IllegalArgumentException notOfTheSchema(String where, String why, Exception cause) {
    return new IllegalArgumentException("flink-plan.json does not fit this plan binder's schema (version " + VERSION + "), at " + where + ": " + why, cause);
  }

  /**
   * Refuses a null anywhere but in a {@link Nullable} field. Jackson (2.14, Flink's) does not:
   * it ignores {@code @JsonSetter(nulls = FAIL)} on a record's creator properties.
   */
  private static void checkNulls(Object value, String at) {
    if (value instanceof Record r) {
      for (RecordComponent c : r.getClass().getRecordComponents()) {
        Object field;
        try {
          field = c.getAccessor().invoke(r);
        } catch (ReflectiveOperationException e) {
          throw new IllegalStateException(e); // public records: never
        }
        JsonProperty renamed = c.getAccessor().getAnnotation(JsonProperty.class);
        String path = (at.isEmpty() ? "" : at + ".") + (renamed != null ? renamed.value() : c.getName());
        if (field == null && !c.isAnnotationPresent(Nullable.class)) throw notOfTheSchema(path, "null where a value is required", null);
        checkNulls(field, path);
      }
    } else if (value instanceof List<?> list) {
      for (int k = 0; k < list.size(); k++) {
        if (list.get(k) == null) throw notOfTheSchema(at + "[" + k + "]", "null where a value is required", null);
        checkNulls(list.get(k), at + "[" + k + "]");
      }
    } else if (value instanceof Map<?, ?> map) {
      for (Map.Entry<?, ?> e : map.entrySet()) if (e.getValue() == null) throw notOfTheSchema(at + "." + e.getKey(), "null where a value is required", null);
    }
  }

  /** Where in the file a binding failed, as a path: {@code tasks[2].native}. */
  private static String where(JsonMappingException e) {
    String path = e.getPath().stream()
        .map(r -> r.getFieldName() != null ? "." + r.getFieldName() : "[" + r.getIndex() + "]")
        .collect(Collectors.joining());
    return path.isEmpty() ? "the top" : path.substring(path.startsWith(".") ? 1 : 0);
  }
}
