package tsflink.flink;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.BufferedReader;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The Node worker processes of this JVM (a TaskManager, or the client's MiniCluster), kept
 * between the tasks of a job: starting a worker (a Node process that loads tsflink and rebuilds
 * the job's shipped functions) costs more than most subtasks. A task takes an idle worker of its job (same command, environment and
 * directory) or starts one, and gives it back after a clean run; a worker that failed, or whose
 * task failed, is killed. Idle workers are killed after {@link #IDLE_MS} and when the job's class
 * loader is released (the job ended here), all of them when this JVM exits; a worker whose JVM dies
 * without all that ends itself (its watchdog sees the parent go).
 */
final class NodeWorkers {
  static final long IDLE_MS = 5_000;
  private static final int STDERR_TAIL_LINES = 40;

  private static final Map<String, Deque<Worker>> IDLE = new HashMap<>();
  private static final List<Worker> ALL = new ArrayList<>();
  private static Thread reaper;
  private static boolean hookInstalled;
  private static boolean exitHookInstalled;
  /** Set by {@link #killAll}: this JVM is ending, and a task restarted meanwhile must not start a worker that would outlive it. */
  private static boolean closed;

  private NodeWorkers() {}

  /** One Node worker process and its pipes. */
  static final class Worker {
    final Process process;
    final String key;
    final DataOutputStream stdin;
    final DataInputStream stdout;
    private final Deque<String> stderrTail = new ArrayDeque<>();
    long idleSince;
    /** The spool folder of the task it serves (removed with the worker when this JVM exits mid-task). */
    volatile java.nio.file.Path spool;

    private Worker(Process process, String key, String label) {
      this.process = process;
      this.key = key;
      this.stdin = new DataOutputStream(new BufferedOutputStream(process.getOutputStream(), 1 << 16));
      this.stdout = new DataInputStream(new BufferedInputStream(process.getInputStream(), 1 << 16));
      Thread pump = new Thread(this::pumpStderr, "tsflink-node-stderr-" + label);
      pump.setDaemon(true);
      pump.start();
    }

    /** The worker's stderr (user prints, Node's own messages) goes to this JVM's stderr; the last lines are kept for errors. */
    private void pumpStderr() {
      try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getErrorStream(), StandardCharsets.UTF_8))) {
        String line;
        while ((line = r.readLine()) != null) {
          System.err.println(line);
          synchronized (stderrTail) {
            stderrTail.addLast(line);
            if (stderrTail.size() > STDERR_TAIL_LINES) stderrTail.removeFirst();
          }
        }
      } catch (IOException ignored) {
        // the process is gone
      }
    }

    void clearTail() {
      synchronized (stderrTail) {
        stderrTail.clear();
      }
    }

    /** The worker's last lines of stderr, for an error message. */
    String tail() {
      try {
        process.waitFor(2, TimeUnit.SECONDS); // let the pump catch up with a worker that is exiting
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      synchronized (stderrTail) {
        return stderrTail.isEmpty() ? "" : "; its last output:\n" + String.join("\n", stderrTail);
      }
    }
  }

  /** The key of the workers that can serve a task: what they were started with. */
  static String key(List<String> command, Map<String, String> env, String cwd) {
    return command + "\u0000" + new java.util.TreeMap<>(env) + "\u0000" + cwd;
  }

  /** An idle worker for `key`, or a new one. */
  static Worker acquire(String key, List<String> command, Map<String, String> env, String cwd, String label) throws IOException {
    synchronized (NodeWorkers.class) {
      if (closed) throw new IOException("this JVM is shutting down: no Node worker is started for '" + label + "'");
      Deque<Worker> idle = IDLE.get(key);
      while (idle != null && !idle.isEmpty()) {
        Worker w = idle.pollLast();
        if (w.process.isAlive()) {
          w.clearTail();
          return w;
        }
        ALL.remove(w);
      }
    }
    ProcessBuilder pb = new ProcessBuilder(command);
    if (cwd != null) pb.directory(new File(cwd));
    Map<String, String> penv = pb.environment();
    penv.remove("NODE_TEST_CONTEXT");
    penv.putAll(env);
    Worker w = new Worker(pb.start(), key, label);
    synchronized (NodeWorkers.class) {
      if (closed) {
        kill(w.process);
        throw new IOException("this JVM is shutting down: no Node worker is started for '" + label + "'");
      }
      ALL.add(w);
      startHousekeeping();
    }
    return w;
  }

  /** Gives a worker back after a clean run. */
  static void release(Worker w) {
    synchronized (NodeWorkers.class) {
      if (!w.process.isAlive()) {
        ALL.remove(w);
        return;
      }
      w.idleSince = System.currentTimeMillis();
      IDLE.computeIfAbsent(w.key, k -> new ArrayDeque<>()).addLast(w);
    }
  }

  /** Kills a worker (and anything it started). */
  static void discard(Worker w) {
    synchronized (NodeWorkers.class) {
      ALL.remove(w);
      Deque<Worker> idle = IDLE.get(w.key);
      if (idle != null) idle.remove(w);
    }
    kill(w.process);
  }

  /** Registers, once per class loader, what ends the idle workers: at release of the job's class loader, and at JVM exit. */
  static void onJobRelease(org.apache.flink.api.common.functions.RuntimeContext ctx) {
    synchronized (NodeWorkers.class) {
      if (hookInstalled) return;
      hookInstalled = true;
    }
    try {
      // Only the idle ones: a release can come late, while a task of a later stage runs.
      ctx.registerUserCodeClassLoaderReleaseHookIfAbsent("tsflink-node-workers", NodeWorkers::killIdle);
    } catch (RuntimeException ignored) {
      // not offered here: the idle timeout ends them
    }
  }

  private static void startHousekeeping() {
    if (reaper != null) return;
    reaper = new Thread(NodeWorkers::reap, "tsflink-node-workers-reaper");
    reaper.setDaemon(true);
    reaper.start();
    if (!exitHookInstalled) {
      exitHookInstalled = true;
      Runtime.getRuntime().addShutdownHook(new Thread(NodeWorkers::killAll, "tsflink-node-workers-exit"));
    }
  }

  private static void reap() {
    while (true) {
      try {
        Thread.sleep(500);
      } catch (InterruptedException e) {
        return;
      }
      List<Worker> expired = new ArrayList<>();
      synchronized (NodeWorkers.class) {
        long now = System.currentTimeMillis();
        for (Deque<Worker> idle : IDLE.values()) {
          for (Worker w : idle) if (now - w.idleSince > IDLE_MS || !w.process.isAlive()) expired.add(w);
          idle.removeAll(expired);
        }
        ALL.removeAll(expired);
        if (ALL.isEmpty()) {
          reaper = null; // nothing left to watch; the next worker starts a new reaper
          expired.forEach(w -> kill(w.process));
          return;
        }
      }
      expired.forEach(w -> kill(w.process));
    }
  }

  private static void killIdle() {
    List<Worker> idle = new ArrayList<>();
    synchronized (NodeWorkers.class) {
      IDLE.values().forEach(idle::addAll);
      IDLE.clear();
      ALL.removeAll(idle);
    }
    idle.forEach(w -> kill(w.process));
  }

  static void killAll() {
    List<Worker> all;
    synchronized (NodeWorkers.class) {
      closed = true;
      all = new ArrayList<>(ALL);
      ALL.clear();
      IDLE.clear();
    }
    all.forEach(w -> {
      kill(w.process);
      if (w.spool != null) ShippedCode.deleteTree(w.spool);
    });
  }

  private static void kill(Process process) {
    process.descendants().forEach(ProcessHandle::destroyForcibly);
    process.destroyForcibly();
    try {
      process.waitFor(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
