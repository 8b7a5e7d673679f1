package tsflink.flink;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.accumulators.ListAccumulator;
import org.apache.flink.api.common.functions.RichMapPartitionFunction;
import org.apache.flink.runtime.execution.SuppressRestartsException;
import org.apache.flink.util.Collector;

/**
 * One tsflink task (a chain of operators of the physical plan) run by a Node worker process
 * per Flink subtask, taken from this JVM's {@link NodeWorkers} (a worker serves one task after
 * another). The worker rebuilds the job's functions from the code the client shipped (it never
 * runs the user's script), reads this subtask's input batches, runs the chain with tsflink's own operators
 * and answers with output batches, each already addressed to its consumer subtask.
 *
 * <p>Records: {@link Rec}. The worker's batches go out as they are; its keyed records (a KEYED
 * frame) one Flink record each, with their canonical keys; keyed records coming in are
 * assembled into batches for the worker.
 *
 * <p>The input streams with credits: the worker asks for a batch (CREDIT) when its operators
 * want records and the JVM answers with one batch or the end, so the task thread only writes
 * to a worker that is reading — no deadlock however slow either side — and only one batch is in
 * flight.
 */
public final class NodeTask extends RichMapPartitionFunction<Rec, Rec> {
  private static final long serialVersionUID = 1L;
  /** The accumulator that carries the side records of an iteration's step tasks to the client. */
  public static final String SIDE_ACCUMULATOR = "tsflink-side-records";

  private final int taskId;
  private final String taskName;
  private final List<String> command;
  private final Map<String, String> env;
  private final String cwd;
  /** setNumberOfExecutionRetries: a worker's error fails the job once this subtask has been retried that often. */
  private final int retries;
  /** A task of an iteration's step: runs once per superstep. */
  private final boolean inStep;

  /** The job ships the user's code (a remote cluster): the worker runs in a work folder made from it. */
  private final boolean shipped;
  /** The names of the user's cached files shipped with the job (their copies on this TaskManager go to the worker). */
  private final List<String> cachedFiles;

  /** Side records go out as a Flink accumulator rather than as records of the job's result (see PlanBinder). */
  private final boolean sideAsAccumulator;

  /** The input slots that are Flink broadcast variables (named by {@link #broadcastName}). */
  private final int[] broadcastSlots;

  /**
   * A step's task of an iteration with aggregators: {@link #AGGREGATES} (its worker gets the previous
   * superstep's contributions and sends its own to the {@link WorkerAggregates}) or also
   * {@link #TO_CONVERGENCE} (its contribution goes as a record to the iteration's convergence
   * check, marked {@link #CONTRIBUTION}); 0 otherwise.
   */
  private final int aggregates;
  static final int AGGREGATES = 1;
  static final int TO_CONVERGENCE = 2;
  /** The output mark of a contribution record. */
  static final int CONTRIBUTION = -3;

  /** Not a task of the plan but the convergence check of iteration {@code convergence} (its position in the plan); -1 otherwise. */
  private final int convergence;

  /** The name of the broadcast variable that holds input slot {@code slot}'s batches. */
  static String broadcastName(int slot) {
    return "tsflink-slot-" + slot;
  }

  public NodeTask(int taskId, String taskName, List<String> command, Map<String, String> env, String cwd, int retries, boolean inStep, boolean sideAsAccumulator, boolean shipped,
      List<String> cachedFiles, int[] broadcastSlots, int aggregates, int convergence) {
    this.aggregates = aggregates;
    this.convergence = convergence;
    this.cachedFiles = new ArrayList<>(cachedFiles);
    this.broadcastSlots = broadcastSlots.clone();
    this.inStep = inStep;
    this.sideAsAccumulator = sideAsAccumulator;
    this.shipped = shipped;
    this.taskId = taskId;
    this.taskName = taskName;
    this.command = new ArrayList<>(command);
    this.env = new java.util.HashMap<>(env);
    this.cwd = cwd;
    this.retries = retries;
  }

  @Override
  public void mapPartition(Iterable<Rec> values, Collector<Rec> out) throws Exception {
    int subtask = getRuntimeContext().getIndexOfThisSubtask();
    int parallelism = getRuntimeContext().getNumberOfParallelSubtasks();
    int attempt = getRuntimeContext().getAttemptNumber();
    int superstep = inStep ? getIterationRuntimeContext().getSuperstepNumber() : 0;
    NodeWorkers.onJobRelease(getRuntimeContext());
    String dir = cwd;
    StringBuilder files = new StringBuilder();
    if (shipped) {
      var cache = getRuntimeContext().getDistributedCache();
      dir = ShippedCode.workDir(cache.getFile(ShippedCode.RUNTIME), cache.getFile(ShippedCode.APP)).toString();
      for (String name : cachedFiles) {
        files.append(files.length() == 0 ? ",\"cachedFiles\":{" : ",").append(jsonString(name)).append(':')
            .append(jsonString(cache.getFile(ShippedCode.USER_FILE + name).getAbsolutePath()));
      }
      if (files.length() > 0) files.append('}');
    }
    NodeWorkers.Worker worker = NodeWorkers.acquire(NodeWorkers.key(command, env, dir), command, env, dir, taskId + "-" + subtask);
    // Where the worker spools inputs it reads later: it makes the folder when it needs it (so a
    // JVM killed before the worker hears of it leaves none), its watchdog removes it when this JVM
    // dies, and it is removed below even when the worker had to be killed.
    Path spool = Path.of(System.getProperty("java.io.tmpdir"), "tsflink-flink-worker-" + java.util.UUID.randomUUID());
    worker.spool = spool;
    boolean clean = false;
    try {
      // The attempt 1-based, as the embedded engine counts its retries (TSFLINK_FAULT selects by it).
      String header = "{\"task\":" + taskId + ",\"subtask\":" + subtask + ",\"attempt\":" + (attempt + 1) + ",\"superstep\":" + superstep
          + ",\"spool\":" + jsonString(spool.toString()) + files + previousAggregates(superstep) + (convergence >= 0 ? ",\"convergence\":" + convergence : "") + "}";
      // Broadcast sets first (the worker reads them before the rest), then the task's other inputs.
      List<Rec> broadcast = new ArrayList<>();
      for (int slot : broadcastSlots) {
        for (Rec r : getRuntimeContext().<Rec>getBroadcastVariable(broadcastName(slot))) broadcast.add(Rec.batch(slot, 0, r.f4));
      }
      InputBatches input = new InputBatches(broadcast.iterator(), values.iterator());
      boolean inputOpen = true;
      try {
        WorkerFrames.writeTask(worker.stdin, header.getBytes(StandardCharsets.UTF_8));
        worker.stdin.flush();
      } catch (IOException e) {
        inputOpen = false; // the worker is gone: its exit tells why
      }
      while (true) {
        WorkerFrames.Frame f = WorkerFrames.read(worker.stdout);
        if (f == null) {
          // The worker died (process.exit() in a user function, out of memory, killed): the
          // subtask's own failure, retried as a thrown error is.
          int code = worker.process.waitFor();
          String message = "the Node worker running '" + taskName + "' (subtask " + (subtask + 1) + " of " + parallelism + ") exited with code " + code
              + " before it finished" + worker.tail();
          WorkerFailure crash = new WorkerFailure("{\"name\":\"WorkerCrashError\",\"message\":" + jsonString(message) + ",\"props\":{\"operator\":" + jsonString(taskName) + "}}");
          if (attempt >= retries) throw new SuppressRestartsException(crash);
          throw crash;
        }
        switch (f.type) {
          case WorkerFrames.OUT_CREDIT:
            // The worker reads now: one batch of its input, or the end of it.
            if (!inputOpen) break;
            try {
              Rec batch = input.next();
              if (batch == null) WorkerFrames.writeEnd(worker.stdin);
              else WorkerFrames.writeData(worker.stdin, batch.f0, batch.f4);
              worker.stdin.flush();
            } catch (IOException e) {
              inputOpen = false; // the worker stopped reading: its error frame or exit tells why
            }
            break;
          case WorkerFrames.OUT_BATCH:
            out.collect(Rec.batch(f.a, f.b, f.payload));
            break;
          case WorkerFrames.OUT_KEYED:
            emitKeyed(f, out);
            break;
          case WorkerFrames.OUT_SIDE:
            if (sideAsAccumulator) sideAccumulator().add(f.payload);
            else out.collect(Rec.batch(-1, subtask, f.payload));
            break;
          case WorkerFrames.OUT_ERROR: {
            // The embedded engine retries a failed task `retries` times; Flink's restart budget is
            // larger (a lost TaskManager fails several tasks at once), so a worker's own error
            // ends the job here once this subtask has had its retries.
            WorkerFailure failure = new WorkerFailure(new String(f.payload, StandardCharsets.UTF_8));
            if (attempt >= retries) throw new SuppressRestartsException(failure);
            throw failure;
          }
          case WorkerFrames.OUT_AGGREGATES:
            if (aggregates == 0) throw new IOException("the Node worker of '" + taskName + "' sent aggregates outside an iteration with aggregators");
            getIterationRuntimeContext().<WorkerAggregates>getIterationAggregator(WorkerAggregates.NAME).add(f.payload);
            if (aggregates == TO_CONVERGENCE) out.collect(Rec.batch(CONTRIBUTION, 0, f.payload));
            break;
          case WorkerFrames.OUT_DONE:
            clean = true;
            return;
          default:
            throw new IOException("unknown frame type " + f.type + " from the Node worker of '" + taskName + "'" + worker.tail());
        }
      }
    } finally {
      worker.spool = null;
      if (clean) NodeWorkers.release(worker);
      else NodeWorkers.discard(worker);
      ShippedCode.deleteTree(spool);
    }
  }

  /**
   * The task's input as the worker reads it, a batch at a time: batches as they come, keyed
   * records (one per Flink record) assembled into batches per slot; null at the end.
   */
  private static final class InputBatches {
    private final java.util.Iterator<Rec> broadcast;
    private final java.util.Iterator<Rec> values;
    private final Map<Integer, RecordBatches.Builder> pending = new java.util.TreeMap<>();

    InputBatches(java.util.Iterator<Rec> broadcast, java.util.Iterator<Rec> values) {
      this.broadcast = broadcast;
      this.values = values;
    }

    Rec next() {
      if (broadcast.hasNext()) return broadcast.next();
      while (values.hasNext()) {
        Rec v = values.next();
        if (v.f0 < 0) continue; // a source's trigger
        if (v.f1 != Rec.SINGLE) return v;
        RecordBatches.Builder b = pending.computeIfAbsent(v.f0, k -> new RecordBatches.Builder());
        b.add(v.f4);
        if (b.full()) return Rec.batch(v.f0, 0, b.finish());
      }
      for (Map.Entry<Integer, RecordBatches.Builder> e : pending.entrySet()) {
        if (!e.getValue().isEmpty()) return Rec.batch(e.getKey(), 0, e.getValue().finish());
      }
      return null;
    }
  }

  /** A KEYED frame: b records, each with its canonical key and sort key, then their batch. */
  private static void emitKeyed(WorkerFrames.Frame f, Collector<Rec> out) throws IOException {
    byte[] p = f.payload;
    int count = f.b;
    CanonicalKey[] keys = new CanonicalKey[count];
    CanonicalKey[] sorts = new CanonicalKey[count];
    java.nio.ByteBuffer buf = java.nio.ByteBuffer.wrap(p);
    for (int i = 0; i < count; i++) {
      keys[i] = key(buf);
      sorts[i] = key(buf);
    }
    byte[][] values = RecordBatches.split(p, buf.position(), count);
    for (int i = 0; i < count; i++) out.collect(new Rec(f.a, Rec.SINGLE, keys[i], sorts[i], values[i]));
  }

  /** A length-prefixed key (none: the empty key, shared). */
  private static CanonicalKey key(java.nio.ByteBuffer buf) throws IOException {
    if (buf.remaining() < 4) throw new IOException("a keyed frame from the Node worker is truncated");
    int n = buf.getInt();
    if (n < 0 || n > buf.remaining()) throw new IOException("a keyed frame from the Node worker is truncated");
    if (n == 0) return Rec.noKey();
    byte[] b = new byte[n];
    buf.get(b);
    return new CanonicalKey(b);
  }

  private static String jsonString(String s) {
    StringBuilder b = new StringBuilder("\"");
    for (char c : s.toCharArray()) {
      if (c == '"' || c == '\\') b.append('\\').append(c);
      else if (c < 0x20) b.append(String.format("\\u%04x", (int) c));
      else b.append(c);
    }
    return b.append('"').toString();
  }

  /** The header's field with the previous superstep's contributions (none in superstep 1 or without aggregators). */
  private String previousAggregates(int superstep) {
    if (aggregates == 0 || superstep <= 1) return "";
    WorkerAggregates.Contributions previous = getIterationRuntimeContext().getPreviousIterationAggregate(WorkerAggregates.NAME);
    StringBuilder b = new StringBuilder(",\"previousAggregates\":[");
    java.util.Base64.Encoder b64 = java.util.Base64.getEncoder();
    if (previous != null) {
      for (int i = 0; i < previous.batches().size(); i++) b.append(i > 0 ? "," : "").append('"').append(b64.encodeToString(previous.batches().get(i))).append('"');
    }
    return b.append(']').toString();
  }

  @SuppressWarnings("unchecked")
  private ListAccumulator<byte[]> sideAccumulator() {
    ListAccumulator<byte[]> acc = (ListAccumulator<byte[]>) (Object) getRuntimeContext().getAccumulator(SIDE_ACCUMULATOR);
    if (acc == null) {
      acc = new ListAccumulator<>();
      getRuntimeContext().addAccumulator(SIDE_ACCUMULATOR, acc);
    }
    return acc;
  }
}
