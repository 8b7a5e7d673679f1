package tsflink.hdfs;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.StandardCopyOption;
import java.util.concurrent.CountDownLatch;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.hdfs.MiniDFSCluster;
import sun.misc.Signal;

/**
 * A real HDFS on loopback for tsflink's tests: Hadoop's MiniDFSCluster with one NameNode and one
 * DataNode, started by scripts/hdfs-cluster.sh.
 *
 * <pre>java -cp 'lib/*:tsflink-hdfs-cluster.jar' tsflink.hdfs.MiniHdfs BASE_DIR RPC_PORT HTTP_PORT READY_FILE</pre>
 *
 * The NameNode listens on 127.0.0.1:RPC_PORT (RPC) and 127.0.0.1:HTTP_PORT (web UI and WebHDFS);
 * the DataNode on free loopback ports, and it advertises 127.0.0.1, so WebHDFS redirects go there.
 * Permissions are off (any user.name may write), replication is 1 and the smallest block size
 * 4096 bytes (tests make files of small blocks with WebHDFS's blocksize parameter). The name and
 * data directories live in BASE_DIR. Once the cluster is up and out of safe mode, READY_FILE is
 * written (hdfs://127.0.0.1:RPC_PORT, then http://127.0.0.1:HTTP_PORT) and "MiniHdfs ready" printed;
 * SIGTERM shuts the cluster down (a signal handler, and a shutdown hook as a fallback).
 */
public final class MiniHdfs {
  private static boolean down;

  private MiniHdfs() {}

  public static void main(String[] args) throws Exception {
    if (args.length != 4) {
      System.err.println("usage: MiniHdfs BASE_DIR RPC_PORT HTTP_PORT READY_FILE");
      System.exit(2);
    }
    File base = new File(args[0]).getAbsoluteFile();
    int rpcPort = Integer.parseInt(args[1]);
    int httpPort = Integer.parseInt(args[2]);
    File ready = new File(args[3]).getAbsoluteFile();

    Configuration conf = new Configuration();
    conf.set("hadoop.tmp.dir", new File(base, "hadoop-tmp").getPath());
    conf.set(MiniDFSCluster.HDFS_MINIDFS_BASEDIR, base.getPath());
    conf.setBoolean("dfs.permissions.enabled", false);
    conf.setInt("dfs.replication", 1);
    conf.setBoolean("dfs.webhdfs.enabled", true);
    conf.setLong("dfs.namenode.fs-limits.min-block-size", 4096);
    conf.set("dfs.namenode.rpc-bind-host", "127.0.0.1");
    conf.set("dfs.namenode.http-bind-host", "127.0.0.1");
    conf.set("dfs.namenode.http-address", "127.0.0.1:" + httpPort);
    conf.set("dfs.namenode.https-address", "127.0.0.1:0");
    conf.set("dfs.namenode.secondary.http-address", "127.0.0.1:0");
    conf.set("dfs.namenode.backup.address", "127.0.0.1:0");
    conf.set("dfs.namenode.backup.http-address", "127.0.0.1:0");
    conf.set("dfs.journalnode.rpc-address", "127.0.0.1:0");
    conf.set("dfs.journalnode.http-address", "127.0.0.1:0");
    // The DataNode on free loopback ports, advertising 127.0.0.1 (MiniDFSCluster sets the same).
    conf.set("dfs.datanode.hostname", "127.0.0.1");
    conf.set("dfs.datanode.address", "127.0.0.1:0");
    conf.set("dfs.datanode.http.address", "127.0.0.1:0");
    conf.set("dfs.datanode.https.address", "127.0.0.1:0");
    conf.set("dfs.datanode.ipc.address", "127.0.0.1:0");
    // A test cluster: no waiting on safe mode's extension, quick heartbeats.
    conf.setInt("dfs.namenode.safemode.extension", 0);
    conf.setLong("dfs.heartbeat.interval", 1);

    MiniDFSCluster cluster = new MiniDFSCluster.Builder(conf, base)
        .numDataNodes(1)
        .nameNodePort(rpcPort)
        .nameNodeHttpPort(httpPort)
        .format(true)
        .build();
    // SIGTERM and SIGINT: shut the cluster down, then exit. Done in a signal handler rather than
    // in a shutdown hook, since Hadoop's services add and remove shutdown hooks of their own while
    // they stop, which the JVM refuses once it is shutting down. A shutdown hook stays as a fallback
    // (System.exit elsewhere, SIGHUP).
    Runnable shutdown = () -> {
      synchronized (MiniHdfs.class) {
        if (down) return;
        down = true;
      }
      System.out.println("MiniHdfs: shutting down");
      cluster.shutdown(true);
      System.out.println("MiniHdfs: stopped");
    };
    for (String name : new String[] {"TERM", "INT"}) {
      Signal.handle(new Signal(name), signal -> {
        shutdown.run();
        System.exit(0);
      });
    }
    Runtime.getRuntime().addShutdownHook(new Thread(shutdown, "MiniHdfs-shutdown"));

    cluster.waitActive();
    while (cluster.getNamesystem().isInSafeMode()) {
      Thread.sleep(100);
    }
    String text = "hdfs://127.0.0.1:" + cluster.getNameNodePort() + "\nhttp://127.0.0.1:" + httpPort + "\n";
    File partial = new File(ready.getPath() + ".part");
    Files.writeString(partial.toPath(), text, StandardCharsets.UTF_8);
    Files.move(partial.toPath(), ready.toPath(), StandardCopyOption.ATOMIC_MOVE);
    System.out.println("MiniHdfs ready: " + text.replace('\n', ' ').trim());
    new CountDownLatch(1).await();
  }
}
