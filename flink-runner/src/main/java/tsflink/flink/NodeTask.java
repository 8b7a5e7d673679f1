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
import org.apache.flink.api.java.tuple.Tuple3;
import org.apache.flink.runtime.execution.SuppressRestartsException;
import org.apache.flink.util.Collector;

/**
 * One tsflink task (a chain of operators of the physical plan) run by a Node worker process
 * per Flink subtask, taken from this JVM's {@link NodeWorkers} (a worker serves one task after
 * another). The worker re-runs the user's script in operator mode, checks the plan's
 * fingerprint, reads this subtask's input batches, runs the chain with tsflink's own operators
 * and answers with output batches, each already addressed to its consumer subtask.
 *
 * <p>Records: {@code Tuple3<slot or output index, target subtask, binary batch>}; f0 = -1 marks a
 * side record (results, printed lines, accumulators) for the client, f0 = -2 a source's trigger.
 *
 * <p>The input is sent whole before the worker answers (the worker spools it to files), so
 * the JVM writes, then reads, in the task thread without any risk of deadlock, and neither side
 * holds more than a batch in memory.
 */
public final class NodeTask extends RichMapPartitionFunction<Tuple3<Integer, Integer, byte[]>, Tuple3<Integer, Integer, byte[]>> {
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

  /** Side records go out as a Flink accumulator rather than as records of the job's result (see PlanBinder). */
  private final boolean sideAsAccumulator;

  public NodeTask(int taskId, String taskName, List<String> command, Map<String, String> env, String cwd, int retries, boolean inStep, boolean sideAsAccumulator, boolean shipped) {
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
  public void mapPartition(Iterable<Tuple3<Integer, Integer, byte[]>> values, Collector<Tuple3<Integer, Integer, byte[]>> out) throws Exception {
    int subtask = getRuntimeContext().getIndexOfThisSubtask();
    int attempt = getRuntimeContext().getAttemptNumber();
    int superstep = inStep ? getIterationRuntimeContext().getSuperstepNumber() : 0;
    NodeWorkers.onJobRelease(getRuntimeContext());
    String dir = cwd;
    if (shipped) {
      var cache = getRuntimeContext().getDistributedCache();
      dir = ShippedCode.workDir(cache.getFile(ShippedCode.RUNTIME), cache.getFile(ShippedCode.APP)).toString();
    }
    NodeWorkers.Worker worker = NodeWorkers.acquire(NodeWorkers.key(command, env, dir), command, env, dir, taskId + "-" + subtask);
    // The worker spools its input here; removed below even when the worker had to be killed.
    Path spool = Files.createTempDirectory("tsflink-flink-worker-");
    worker.spool = spool;
    boolean clean = false;
    try {
      try {
        String header = "{\"task\":" + taskId + ",\"subtask\":" + subtask + ",\"attempt\":" + attempt + ",\"superstep\":" + superstep
            + ",\"spool\":" + jsonString(spool.toString()) + "}";
        WorkerFrames.writeTask(worker.stdin, header.getBytes(StandardCharsets.UTF_8));
        for (Tuple3<Integer, Integer, byte[]> v : values) {
          if (v.f0 < 0) continue; // a source's trigger
          WorkerFrames.writeData(worker.stdin, v.f0, v.f2);
        }
        WorkerFrames.writeEnd(worker.stdin);
        worker.stdin.flush();
      } catch (IOException e) {
        // The worker stopped reading: it failed early; its error frame or exit tells why.
      }
      while (true) {
        WorkerFrames.Frame f = WorkerFrames.read(worker.stdout);
        if (f == null) {
          int code = worker.process.waitFor();
          throw new RuntimeException("the Node worker of '" + taskName + "' (subtask " + (subtask + 1) + ") exited with code " + code
              + " before it finished" + worker.tail());
        }
        switch (f.type) {
          case WorkerFrames.OUT_BATCH:
            out.collect(new Tuple3<>(f.a, f.b, f.payload));
            break;
          case WorkerFrames.OUT_SIDE:
            if (sideAsAccumulator) sideAccumulator().add(f.payload);
            else out.collect(new Tuple3<>(-1, subtask, f.payload));
            break;
          case WorkerFrames.OUT_ERROR: {
            // The embedded engine retries a failed task `retries` times; Flink's restart budget is
            // larger (a lost TaskManager fails several tasks at once), so a worker's own error
            // ends the job here once this subtask has had its retries.
            WorkerFailure failure = new WorkerFailure(new String(f.payload, StandardCharsets.UTF_8));
            if (attempt >= retries) throw new SuppressRestartsException(failure);
            throw failure;
          }
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

  private static String jsonString(String s) {
    StringBuilder b = new StringBuilder("\"");
    for (char c : s.toCharArray()) {
      if (c == '"' || c == '\\') b.append('\\').append(c);
      else if (c < 0x20) b.append(String.format("\\u%04x", (int) c));
      else b.append(c);
    }
    return b.append('"').toString();
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
