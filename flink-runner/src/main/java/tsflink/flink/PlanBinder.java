package tsflink.flink;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.apache.flink.api.common.ExecutionMode;
import org.apache.flink.api.common.JobExecutionResult;
import org.apache.flink.api.common.accumulators.SerializedListAccumulator;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.java.Utils;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.util.AbstractID;
import org.apache.flink.api.common.functions.FilterFunction;
import org.apache.flink.api.common.functions.MapFunction;
import org.apache.flink.api.common.restartstrategy.RestartStrategies;
import org.apache.flink.api.java.DataSet;
import org.apache.flink.api.java.ExecutionEnvironment;
import org.apache.flink.api.java.io.DiscardingOutputFormat;
import org.apache.flink.api.java.operators.IterativeDataSet;
import org.apache.flink.api.java.operators.MapPartitionOperator;
import org.apache.flink.api.common.JobID;
import org.apache.flink.client.deployment.executors.PipelineExecutorUtils;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.TaskManagerOptions;
import org.apache.flink.runtime.jobgraph.JobGraph;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.runtime.minicluster.MiniClusterConfiguration;
import org.apache.flink.runtime.minicluster.MiniClusterJobClient;
import org.apache.flink.shaded.jackson2.com.fasterxml.jackson.databind.JsonNode;
import org.apache.flink.shaded.jackson2.com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.flink.shaded.jackson2.com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Runs a tsflink job on Flink: {@code PlanBinder <flink-plan.json> <outcome.json> [--jobmanager host:port]}.
 *
 * <p>Each task of tsflink's physical plan becomes a {@code mapPartition(NodeTask)} at the task's
 * parallelism, fed by the union of its inputs: a keyed input's records partitioned by Flink on
 * their canonical keys ({@link CanonicalPartitioner}), a rebalanced input's records rebalanced
 * by Flink, another input's batches moved to the subtask tsflink's partitioner chose. A task
 * whose first operator Flink has (a join, a cross, distinct, first on groups:
 * {@link NativeOperators}) reads what Flink's operator made of its inputs. Broadcast sets are
 * Flink broadcast variables ({@code withBroadcastSet}), except inside iterations. A task
 * without inputs (a source) is started by one trigger record per subtask. Every task's side
 * records (collect()/count() results, printed lines, accumulators) come back with
 * {@code collect()} and are written to the outcome file with the job's status; a failed job's
 * outcome carries the worker's error as JSON. Without {@code --jobmanager} the job runs on an
 * in-process MiniCluster; with it, on that cluster's REST endpoint (the jar is shipped). An
 * iteration of the plan is a Flink bulk iteration (see {@code openIteration}); its aggregators
 * travel as a {@link WorkerAggregates}, a convergence criterion is a check task in the step
 * ({@code convergenceCheck}).
 */
public final class PlanBinder {
  private static final ObjectMapper JSON = new ObjectMapper();
  /** The job once submitted: what {@link #watchClient} cancels (on a remote cluster it would run on). */
  private static volatile JobClient running;
  /** Without --jobmanager: the MiniCluster's configuration, and the MiniCluster once started. */
  private static Configuration localConfiguration;
  private static MiniCluster miniCluster;

  public static void main(String[] args) throws Exception {
    if (args.length < 2) {
      System.err.println("usage: PlanBinder <flink-plan.json> <outcome.json> [--jobmanager host:port]");
      System.exit(2);
    }
    Path outcomePath = Path.of(args[1]);
    watchClient(outcomePath.toAbsolutePath().getParent());
    String jobmanager = args.length >= 4 && args[2].equals("--jobmanager") ? args[3] : null;
    ObjectNode outcome = JSON.createObjectNode();
    try {
      PlanFile plan = PlanFile.read(new File(args[0]));
      ExecutionEnvironment env = environment(plan, jobmanager);
      PlanFile.Ship ship = plan.ship();
      if (ship != null) {
        env.registerCachedFile(ShippedCode.runtimeZip(ship).toUri().toString(), ShippedCode.RUNTIME);
        env.registerCachedFile(Path.of(ship.appDir()).toUri().toString(), ShippedCode.APP);
        // The user's registerCachedFile files travel the same way: each TaskManager gets a copy
        // through the BlobServer, and its Node workers read that copy (NodeTask tells them where).
        for (Map.Entry<String, String> f : ship.cachedFiles().entrySet()) {
          env.registerCachedFile(Path.of(f.getValue()).toUri().toString(), ShippedCode.USER_FILE + f.getKey());
        }
      }
      DataSet<Rec> side = bind(env, plan);
      String jobName = plan.jobName();
      // collect() of the side records by hand (what DataSet.collect() does), so that the job runs
      // through a JobClient that a shutdown of this JVM can cancel.
      String sideId = new AbstractID().toString();
      TypeSerializer<Rec> serializer = Rec.TYPE.createSerializer(env.getConfig().getSerializerConfig());
      if (side != null) side.output(new Utils.CollectHelper<>(sideId, serializer)).name("Results for the client");
      explain(env, outcomePath.resolveSibling("flink-execution-plan.json"));
      JobClient client = jobmanager == null ? onMiniCluster(env, jobName) : env.executeAsync(jobName);
      running = client;
      String rest = jobmanager == null ? miniCluster.getRestAddress().get().toString() : "http://" + jobmanager;
      writeJobInfo(outcomePath.resolveSibling("flink-job.json"), client.getJobID().toString(), rest);
      Thread cancel = new Thread(() -> cancel(client), "tsflink-cancel-job");
      Runtime.getRuntime().addShutdownHook(cancel);
      JobExecutionResult result;
      try {
        result = client.getJobExecutionResult().get();
      } finally {
        awaitFiguresRead(outcomePath.resolveSibling("figures-read"));
      }
      Runtime.getRuntime().removeShutdownHook(cancel);
      ArrayList<byte[]> sideBytes = result.getAccumulatorResult(sideId);
      List<Rec> sideRecords = sideBytes == null ? List.of() : SerializedListAccumulator.deserializeList(sideBytes, serializer);
      outcome.put("status", "ok");
      outcome.put("netRuntimeMs", result.getNetRuntime());
      var array = outcome.putArray("side");
      Base64.Encoder b64 = Base64.getEncoder();
      for (Rec r : sideRecords) array.add(b64.encodeToString(r.f4));
      // The other tasks send theirs (accumulators) as a Flink accumulator.
      List<byte[]> fromSteps = result.getAccumulatorResult(NodeTask.SIDE_ACCUMULATOR);
      if (fromSteps != null) for (byte[] r : fromSteps) array.add(b64.encodeToString(r));
    } catch (Throwable t) {
      outcome.put("status", "failed");
      String workerError = null;
      for (Throwable c = t; c != null && workerError == null; c = c.getCause()) workerError = WorkerFailure.errorJsonIn(c.getMessage());
      if (workerError != null) outcome.set("error", JSON.readTree(workerError));
      else {
        Throwable root = t;
        while (root.getCause() != null && root.getCause() != root) root = root.getCause();
        ObjectNode error = outcome.putObject("error");
        error.put("name", "JobExecutionError");
        error.put("message", "the Flink job failed: " + root);
        error.putObject("props");
        t.printStackTrace();
      }
    }
    Files.writeString(outcomePath, JSON.writeValueAsString(outcome), StandardCharsets.UTF_8);
    System.exit(0);
  }

  /**
   * Runs the job on an in-process MiniCluster as {@code LocalEnvironment.executeAsync} would, but
   * one that outlives the job: the client reads the job's final figures from its REST endpoint
   * after the job has ended (Flink's own per-job MiniCluster shuts down as the job ends). It goes
   * with this JVM.
   */
  private static JobClient onMiniCluster(ExecutionEnvironment env, String jobName) throws Exception {
    Configuration conf = localConfiguration;
    MiniCluster cluster = new MiniCluster(new MiniClusterConfiguration.Builder().setConfiguration(conf).setNumTaskManagers(1)
        .setNumSlotsPerTaskManager(conf.get(TaskManagerOptions.NUM_TASK_SLOTS)).build());
    cluster.start();
    miniCluster = cluster;
    ClassLoader loader = Thread.currentThread().getContextClassLoader();
    JobGraph graph = PipelineExecutorUtils.getJobGraph(env.createProgramPlan(jobName), conf, loader);
    JobID id = cluster.submitJob(graph).get().getJobID();
    return new MiniClusterJobClient(id, cluster, loader, MiniClusterJobClient.JobFinalizationBehavior.NOTHING);
  }

  /**
   * Where the client finds the job's figures: {@code {"jobId", "restAddress"}}, written whole
   * (renamed into place) once the job is submitted.
   */
  private static void writeJobInfo(Path path, String jobId, String restAddress) throws java.io.IOException {
    ObjectNode info = JSON.createObjectNode();
    info.put("jobId", jobId);
    info.put("restAddress", restAddress);
    Path tmp = path.resolveSibling(path.getFileName() + ".tmp");
    Files.writeString(tmp, JSON.writeValueAsString(info), StandardCharsets.UTF_8);
    Files.move(tmp, path, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
  }

  /**
   * With -Dtsflink.figures=1 the client polls the job's figures: once the job has ended, the
   * REST endpoint stays up until the client has read the final ones (it writes {@code marker}),
   * at most 10 s.
   */
  private static void awaitFiguresRead(Path marker) {
    if (!"1".equals(System.getProperty("tsflink.figures"))) return;
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (!Files.exists(marker) && System.nanoTime() < deadline) {
      try {
        Thread.sleep(50);
      } catch (InterruptedException e) {
        return;
      }
    }
  }

  /**
   * Writes the plan Flink's optimizer made of the job (its operators, ship and local strategies:
   * what Flink runs natively) beside the outcome; the job folder is kept with
   * TSFLINK_KEEP_FLINK_JOB_DIR=1.
   */
  private static void explain(ExecutionEnvironment env, Path path) {
    try {
      Files.writeString(path, env.getExecutionPlan(), StandardCharsets.UTF_8);
    } catch (Exception e) {
      // only an explanation: the job runs anyway
    }
  }

  /** Cancels a job still running when this JVM shuts down (the client was interrupted or died). */
  private static void cancel(JobClient client) {
    try {
      if (!client.getJobExecutionResult().isDone()) client.cancel().get(10, TimeUnit.SECONDS);
    } catch (Exception e) {
      // the JVM is going anyway
    }
  }

  /**
   * The client (this JVM's parent) may die without a word (SIGKILL): then this JVM stops the Node
   * workers, cancels the job (on a remote cluster it would run on), removes the job folder
   * (everything of the job but its staged output: the plan, and, as java.io.tmpdir, the
   * MiniCluster's working folders, blob storage, spill files and the RPC system's jar) and halts,
   * which ends the MiniCluster. In that order, and not from shutdown hooks (which run at once, in
   * any order): a worker still running could write into the folder after it was removed.
   */
  private static void watchClient(Path jobDir) {
    // The client's pid comes as a property: a client killed while this JVM started has already
    // handed it to init (or a subreaper), which ProcessHandle.parent() would then watch for ever.
    String given = System.getProperty("tsflink.client.pid");
    long client = given != null ? Long.parseLong(given) : ProcessHandle.current().parent().map(ProcessHandle::pid).orElse(-1L);
    if (client < 0) return;
    Thread watch = new Thread(() -> {
      // Our parent changes when the client dies (Linux re-parents an orphan); a pid test alone could be fooled by reuse.
      while (ProcessHandle.current().parent().map(ProcessHandle::pid).orElse(-1L) == client) {
        try {
          Thread.sleep(300);
        } catch (InterruptedException e) {
          return;
        }
      }
      NodeWorkers.killAll();
      JobClient job = running;
      if (job != null) cancel(job);
      ShippedCode.deleteTree(jobDir);
      Runtime.getRuntime().halt(3);
    }, "tsflink-client-watch");
    watch.setDaemon(true);
    watch.start();
  }

  private static ExecutionEnvironment environment(PlanFile plan, String jobmanager) {
    int maxParallelism = 1;
    for (PlanFile.Task t : plan.tasks()) maxParallelism = Math.max(maxParallelism, t.parallelism());
    ExecutionEnvironment env;
    if (jobmanager == null) {
      Configuration conf = new Configuration();
      conf.setString("taskmanager.numberOfTaskSlots", Integer.toString(maxParallelism));
      conf.setString("rest.bind-port", "0");
      // In one process a heartbeat timeout only means a starved machine, never a lost TaskManager.
      conf.setString("heartbeat.timeout", "300000");
      // Every task has its own exchanges (tsflink chains within tasks): a plan of many tasks at
      // p=4 needs more network buffers than the 64 MB default.
      conf.setString("taskmanager.memory.network.min", "256m");
      conf.setString("taskmanager.memory.network.max", "256m");
      // Flink's joins, sorts and groups share a slot's managed memory; a plan of many of them at
      // p=4 left a hash join fewer than the 33 pages it needs with the 128 MB default. It is
      // allocated only as operators ask for it.
      conf.setString("taskmanager.memory.managed.size", "1g");
      localConfiguration = conf;
      env = ExecutionEnvironment.createLocalEnvironment(conf);
    } else {
      int colon = jobmanager.lastIndexOf(':');
      String jar = PlanBinder.class.getProtectionDomain().getCodeSource().getLocation().getPath();
      env = ExecutionEnvironment.createRemoteEnvironment(jobmanager.substring(0, colon), Integer.parseInt(jobmanager.substring(colon + 1)), jar);
    }
    env.setParallelism(maxParallelism);
    // Blocking exchanges: every task is a failover region of its own, as in the embedded engine.
    env.getConfig().setExecutionMode(ExecutionMode.BATCH);
    // setNumberOfExecutionRetries(n) allows each task n retries (the embedded engine's meaning).
    // Flink counts every failover of the job, and one lost TaskManager fails all the tasks it ran
    // and then the consumers of their lost results: the job-wide budget is n per subtask. A
    // worker's own error still fails the job after n retries of its subtask (NodeTask).
    int retries = plan.retries();
    int subtasks = 0;
    for (PlanFile.Task t : plan.tasks()) subtasks += t.parallelism();
    env.setRestartStrategy(retries > 0 ? RestartStrategies.fixedDelayRestart(retries * (subtasks + 1), 1000L) : RestartStrategies.noRestart());
    return env;
  }

  static DataSet<Rec> bind(ExecutionEnvironment env, PlanFile plan) {
    PlanFile.Worker worker = plan.worker();
    List<String> command = new ArrayList<>(worker.command());
    Map<String, String> workerEnv = new HashMap<>(worker.env());
    String cwd = worker.cwd();
    // Code shipped with the job: workers run in a work folder made from it (ShippedCode).
    boolean shipped = plan.ship() != null;
    List<String> cachedFiles = shipped ? new ArrayList<>(plan.ship().cachedFiles().keySet()) : new ArrayList<>();

    Map<Integer, DataSet<Rec>> produced = new HashMap<>();
    // Iterations by their first step task; the input a head or a result task reads instead of its own.
    Map<Integer, PlanFile.Iteration> iterationStartingAt = new HashMap<>();
    Map<Integer, PlanFile.Iteration> iterationEndingAt = new HashMap<>();
    Map<Integer, PlanFile.Iteration> stepOf = new HashMap<>();
    Map<PlanFile.Iteration, Integer> iterationIndex = new java.util.IdentityHashMap<>();
    for (PlanFile.Iteration it : plan.iterations()) {
      iterationIndex.put(it, iterationIndex.size());
      List<Integer> tasks = it.tasks();
      iterationStartingAt.put(tasks.get(0), it);
      iterationEndingAt.put(tasks.get(tasks.size() - 1), it);
      for (int t : tasks) stepOf.put(t, it);
    }
    Map<Integer, DataSet<Rec>> replacedInput = new HashMap<>();
    // What another task or an iteration reads; Flink runs only what leads to a sink, so every other
    // task (a file sink's, say) ends in a discarding one.
    java.util.Set<Integer> consumed = new java.util.HashSet<>();
    for (PlanFile.Task t : plan.tasks()) for (PlanFile.Input in : t.inputs()) consumed.add(in.task());
    for (PlanFile.Iteration it : plan.iterations()) {
      for (PlanFile.Head h : it.heads()) {
        consumed.add(h.initial().task());
        consumed.add(h.feedback().task());
      }
      if (it.criterion() != null) consumed.add(it.criterion().task());
    }
    IterativeDataSet<Rec> loop = null;
    DataSet<Rec> side = null;
    for (PlanFile.Task task : plan.tasks()) {
      int id = task.id();
      int p = task.parallelism();
      String name = task.name();
      PlanFile.Iteration starting = iterationStartingAt.get(id);
      if (starting != null) loop = openIteration(starting, produced, replacedInput);
      DataSet<Rec> input = replacedInput.get(id);
      List<PlanFile.Input> inputs = task.inputs();
      // Broadcast sets Flink broadcasts reach the task's NodeTask as Flink broadcast variables.
      Map<Integer, DataSet<Rec>> broadcastSets = new java.util.LinkedHashMap<>();
      for (int slot = 0; slot < inputs.size(); slot++) {
        PlanFile.Input in = inputs.get(slot);
        if (in.records() == PlanFile.Records.BROADCAST) broadcastSets.put(slot, output(produced, in.task(), in.output()));
      }
      if (input != null) {
        // a head, fed by its iteration, or the task reading an iteration's result
        input = byTarget(input, p);
      } else if (inputs.size() == broadcastSets.size()) {
        List<Rec> triggers = new ArrayList<>();
        for (int s = 0; s < p; s++) triggers.add(Rec.batch(-2, s, new byte[0]));
        input = byTarget(env.fromCollection(triggers, Rec.TYPE).name("Start " + name), p);
      } else if (task.nativeOperator() != null) {
        input = NativeOperators.bind(task.nativeOperator(), slot -> slotInput(produced, inputs.get(slot), slot, name), p, name);
      } else {
        for (int slot = 0; slot < inputs.size(); slot++) {
          PlanFile.Input in = inputs.get(slot);
          if (broadcastSets.containsKey(slot)) continue;
          DataSet<Rec> one = output(produced, in.task(), in.output());
          // Keyed records go where tsflink's hash of their canonical key says, single ones are
          // rebalanced by Flink, batches go where the producer addressed them.
          switch (in.records()) {
            case KEYED:
              one = one.partitionCustom(new CanonicalPartitioner(), Rec.KEY).setParallelism(p);
              break;
            case SINGLE:
              one = one.rebalance().setParallelism(p);
              break;
            default:
              one = byTarget(one, p);
          }
          // Marked with the slot after partitioning: the map hides each input's partitioning from
          // Flink's optimizer, which would otherwise impose one input's partitioner on the others
          // of the union (seen: a rebalanced input sent through another's custom partitioner).
          one = one.map(new ToSlot(slot)).returns(Rec.TYPE).setParallelism(p).name("Input " + slot + " of " + name);
          input = input == null ? one : input.union(one);
        }
      }
      boolean inStep = stepOf.containsKey(id);
      PlanFile.Iteration step = stepOf.get(id);
      int aggregates = step == null || !step.aggregators() ? 0 : step.convergence() ? NodeTask.TO_CONVERGENCE : NodeTask.AGGREGATES;
      // Only tasks with a collect() or output() sink send records to the client through the job's
      // result: a union of every task would need network buffers for each of them (p=4 ran out).
      boolean sideByData = task.side() && !inStep;
      int[] broadcastSlots = broadcastSets.keySet().stream().mapToInt(Integer::intValue).toArray();
      MapPartitionOperator<Rec, Rec> result = input
          .mapPartition(new NodeTask(id, name, command, workerEnv, cwd, plan.retries(), inStep, !sideByData, shipped, cachedFiles, broadcastSlots, aggregates, -1)).returns(Rec.TYPE)
          .setParallelism(p).name(name);
      for (Map.Entry<Integer, DataSet<Rec>> b : broadcastSets.entrySet()) result = result.withBroadcastSet(b.getValue(), NodeTask.broadcastName(b.getKey()));
      produced.put(id, result);
      if (sideByData) {
        DataSet<Rec> mine = result.filter(new OutputFilter(-1)).name("Results of " + name);
        side = side == null ? mine : side.union(mine);
      } else if (!inStep && !consumed.contains(id)) {
        result.output(new DiscardingOutputFormat<>()).name("End of " + name);
      }
      PlanFile.Iteration ending = iterationEndingAt.get(id);
      if (ending != null) {
        DataSet<Rec> check = null;
        if (ending.convergence()) {
          String what = "Convergence of " + ending.name();
          NodeTask checker = new NodeTask(-1, what, command, workerEnv, cwd, plan.retries(), true, true, shipped, cachedFiles, new int[0], 0, iterationIndex.get(ending));
          check = convergenceCheck(ending, produced, checker, what);
        }
        closeIteration(ending, loop, produced, replacedInput, check);
      }
    }
    return side;
  }

  /** What a task reads on one slot: the producer's output, marked with the slot. */
  private static DataSet<Rec> slotInput(Map<Integer, DataSet<Rec>> produced, PlanFile.Input in, int slot, String name) {
    return output(produced, in.task(), in.output()).map(new ToSlot(slot)).returns(Rec.TYPE).name("Input " + slot + " of " + name);
  }

  /** Batches to the consumer subtask their producer addressed them to. */
  private static DataSet<Rec> byTarget(DataSet<Rec> batches, int p) {
    return batches.partitionCustom(new TargetPartitioner(), 1).setParallelism(p).name("Route batches");
  }

  private static DataSet<Rec> output(Map<Integer, DataSet<Rec>> produced, int task, int output) {
    return produced.get(task).filter(new OutputFilter(output)).name("Output " + output + " of task " + task);
  }

  /**
   * A tsflink iteration as one Flink bulk iteration over the batches of all its heads, each
   * tagged with the head's position: superstep 1 reads the initial data, later ones what the
   * step fed back.
   */
  private static IterativeDataSet<Rec> openIteration(
      PlanFile.Iteration it, Map<Integer, DataSet<Rec>> produced, Map<Integer, DataSet<Rec>> replacedInput) {
    List<PlanFile.Head> heads = it.heads();
    IterativeDataSet<Rec> loop = tagged(it, PlanFile.Head::initial, produced).iterate(it.maxIterations());
    loop.name(it.name());
    if (it.aggregators()) loop.registerAggregator(WorkerAggregates.NAME, new WorkerAggregates());
    for (int k = 0; k < heads.size(); k++) {
      replacedInput.put(heads.get(k).task(), loop.filter(new OutputFilter(k)).map(new ToSlot(0)).returns(Rec.TYPE).name("Head " + k + " of " + it.name()));
    }
    return loop;
  }

  /** The union of what goes to each head (its `which`: initial or feedback exchange), tagged with the head's position. */
  private static DataSet<Rec> tagged(PlanFile.Iteration it, Function<PlanFile.Head, PlanFile.ExchangeRef> which, Map<Integer, DataSet<Rec>> produced) {
    List<PlanFile.Head> heads = it.heads();
    DataSet<Rec> all = null;
    for (int k = 0; k < heads.size(); k++) {
      PlanFile.ExchangeRef from = which.apply(heads.get(k));
      DataSet<Rec> one = output(produced, from.task(), from.output()).map(new ToSlot(k)).returns(Rec.TYPE);
      all = all == null ? one : all.union(one);
    }
    return all;
  }

  /**
   * An iteration with a convergence criterion (user JS code, which only a Node worker can run)
   * ends through Flink's termination criterion: every step subtask sends its aggregates of the
   * superstep as a record to one check task in the step (besides the {@link WorkerAggregates}
   * that carries them to the next superstep), which also reads the iteration's own criterion
   * (a delta iteration's new workset), merges the aggregates, asks the convergence criterion and
   * emits a record — the iteration goes on — only when neither ends it. A Flink
   * ConvergenceCriterion instead would run in the synchronisation task, which has no runtime
   * context to start a worker with the job's shipped code, and a delta iteration here is a Flink
   * bulk iteration whose one termination criterion is already taken by the workset.
   */
  private static DataSet<Rec> convergenceCheck(PlanFile.Iteration it, Map<Integer, DataSet<Rec>> produced, NodeTask checker, String name) {
    DataSet<Rec> in = null;
    for (int t : it.tasks()) {
      DataSet<Rec> task = produced.get(t);
      if (task == null) continue; // a termination criterion's own task, never run
      DataSet<Rec> one = task.filter(new OutputFilter(NodeTask.CONTRIBUTION)).map(new ToSlot(0, 0)).returns(Rec.TYPE);
      in = in == null ? one : in.union(one);
    }
    PlanFile.ExchangeRef criterion = it.criterion();
    if (criterion != null) {
      in = in.union(output(produced, criterion.task(), criterion.output()).map(new ToSlot(1, 0)).returns(Rec.TYPE));
    }
    // Flink runs an operator of a bulk iteration's step at the iteration's parallelism whatever it
    // is given (seen: two instances of a check set to 1 at p=2): everything goes to subtask 0,
    // which alone decides; the others read nothing and emit nothing.
    return byTarget(in, 1).mapPartition(checker).returns(Rec.TYPE).setParallelism(1).name(name).filter(new OutputFilter(0));
  }

  /** Closes the loop; `check` (a convergence check) replaces the plan's criterion, which it reads. */
  private static void closeIteration(
      PlanFile.Iteration it, IterativeDataSet<Rec> loop, Map<Integer, DataSet<Rec>> produced,
      Map<Integer, DataSet<Rec>> replacedInput, DataSet<Rec> check) {
    DataSet<Rec> next = tagged(it, PlanFile.Head::feedback, produced);
    PlanFile.ExchangeRef criterion = it.criterion();
    DataSet<Rec> closed = check != null
        ? loop.closeWith(next, check)
        : criterion == null
        ? loop.closeWith(next)
        : loop.closeWith(next, output(produced, criterion.task(), criterion.output()));
    replacedInput.put(it.result(), closed.filter(new OutputFilter(0)).map(new ToSlot(0)).returns(Rec.TYPE).name("Result of " + it.name()));
  }

  /** Keeps the records of one output of a task (-1: its side records). */
  public static final class OutputFilter implements FilterFunction<Rec> {
    private static final long serialVersionUID = 1L;
    private final int output;

    public OutputFilter(int output) {
      this.output = output;
    }

    @Override
    public boolean filter(Rec r) {
      return r.f0 == output;
    }
  }

  /** Marks a batch with the consumer's input slot (and, for the convergence check, readdresses it to subtask {@code target}). */
  public static final class ToSlot implements MapFunction<Rec, Rec> {
    private static final long serialVersionUID = 1L;
    private final int slot;
    /** -1: the subtask the producer addressed. */
    private final int target;

    public ToSlot(int slot) {
      this(slot, -1);
    }

    public ToSlot(int slot, int target) {
      this.slot = slot;
      this.target = target;
    }

    @Override
    public Rec map(Rec r) {
      return new Rec(slot, target < 0 ? r.f1 : target, r.f2, r.f3, r.f4);
    }
  }
}
