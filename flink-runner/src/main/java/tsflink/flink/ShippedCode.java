package tsflink.flink;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.MessageDigest;
import java.util.Enumeration;
import java.util.HexFormat;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;

/**
 * The user's code on a cluster, shipped with the job through Flink's distributed cache (the
 * BlobServer), so that a TaskManager needs nothing but {@code node}:
 *
 * <ul>
 *   <li>{@code tsflink-app}: a folder with the script, the modules given to {@code tsflink run}
 *       and {@code worker.json} (Flink zips a folder and unpacks it on the TaskManager);
 *   <li>{@code tsflink-runtime}: one zip of {@code node_modules} — tsflink and the packages it
 *       runs with — made once per content by the client ({@link #runtimeZip}), unpacked once per
 *       TaskManager ({@link #workDir}).
 * </ul>
 *
 * <p>A task's worker runs in a work folder holding a copy of the app folder and a link to the
 * unpacked {@code node_modules}, so the script's {@code import 'tsflink'} resolves there. Both
 * live in the TaskManager's temp folder (io.tmp.dirs); the runtime stays for later jobs, the
 * work folders go when the TaskManager exits.
 */
final class ShippedCode {
  static final String APP = "tsflink-app";
  static final String RUNTIME = "tsflink-runtime";
  /** The prefix of the Flink distributed-cache name of a user's {@code env.registerCachedFile(path, name)}. */
  static final String USER_FILE = "tsflink-file:";
  private static final String EXECUTABLE = "x";
  private static final Map<String, Path> WORK_DIRS = new HashMap<>();

  private ShippedCode() {}

  /**
   * The runtime zip for the plan's {@code ship.runtime} entries ({@code as}: the path in the zip,
   * {@code from}: a folder or file), cached in the temp folder under the plan's content key.
   */
  static Path runtimeZip(PlanFile.Ship ship) throws IOException {
    Path zip = Path.of(System.getProperty("java.io.tmpdir"), "tsflink-runtime-" + ship.runtimeKey() + ".zip");
    if (Files.exists(zip)) return zip;
    Path partial = Files.createTempFile(zip.getParent(), "tsflink-runtime-", ".partial");
    try (ZipOutputStream out = new ZipOutputStream(Files.newOutputStream(partial))) {
      out.setLevel(1);
      for (PlanFile.RuntimeEntry entry : ship.runtime()) {
        String as = entry.as();
        Path from = Path.of(entry.from());
        Set<String> skip = Set.of("node_modules", ".git");
        Files.walkFileTree(from, new SimpleFileVisitor<>() {
          @Override
          public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) {
            return !dir.equals(from) && skip.contains(dir.getFileName().toString()) ? FileVisitResult.SKIP_SUBTREE : FileVisitResult.CONTINUE;
          }

          @Override
          public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
            if (!attrs.isRegularFile()) return FileVisitResult.CONTINUE;
            String rel = from.relativize(file).toString().replace(File.separatorChar, '/');
            ZipEntry e = new ZipEntry(rel.isEmpty() ? as : as + "/" + rel);
            if (Files.isExecutable(file)) e.setComment(EXECUTABLE);
            out.putNextEntry(e);
            Files.copy(file, out);
            out.closeEntry();
            return FileVisitResult.CONTINUE;
          }
        });
      }
    }
    Files.move(partial, zip, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    // Zips of other contents (an earlier install) go once a day old.
    long dayAgo = System.currentTimeMillis() - 86_400_000L;
    try (var old = Files.newDirectoryStream(zip.getParent(), "tsflink-runtime-*.zip")) {
      for (Path p : old) if (!p.equals(zip) && Files.getLastModifiedTime(p).toMillis() < dayAgo) Files.deleteIfExists(p);
    } catch (IOException ignored) {
      // best effort
    }
    return zip;
  }

  /**
   * The folder a worker of this job runs in on this TaskManager: the runtime unpacked (once per
   * content, kept for later jobs), the app folder copied (once per job).
   */
  static synchronized Path workDir(File runtimeZip, File appDir) throws IOException {
    String jobKey = digest(appDir.getAbsolutePath());
    Path work = WORK_DIRS.get(jobKey);
    if (work != null && Files.isDirectory(work)) return work;
    Path tmp = tmpDirOf(appDir.toPath());
    Path runtime = tmp.resolve("tsflink-runtime-" + digest(runtimeZip.getName() + ":" + runtimeZip.length()));
    if (!Files.exists(runtime.resolve(".complete"))) unzip(runtimeZip.toPath(), runtime);
    work = Files.createTempDirectory(tmp, "tsflink-work-");
    Files.createSymbolicLink(work.resolve("node_modules"), runtime.resolve("node_modules"));
    copyTree(appDir.toPath(), work.resolve("app"));
    WORK_DIRS.put(jobKey, work);
    Path done = work;
    Runtime.getRuntime().addShutdownHook(new Thread(() -> deleteTree(done)));
    return work;
  }

  /** The TaskManager's temp folder (io.tmp.dirs) that holds Flink's distributed cache (where a shipped folder is unpacked), else java.io.tmpdir. */
  private static Path tmpDirOf(Path cached) {
    for (Path p = cached.toAbsolutePath().getParent(); p != null && p.getParent() != null; p = p.getParent()) {
      String name = p.getFileName().toString();
      if (name.startsWith("flink-dist-cache") || name.startsWith("blobStore-")) return p.getParent();
    }
    return Path.of(System.getProperty("java.io.tmpdir"));
  }

  private static void unzip(Path zip, Path into) throws IOException {
    Path partial = Files.createTempDirectory(into.getParent(), into.getFileName() + ".partial-");
    try (ZipFile z = new ZipFile(zip.toFile())) {
      Enumeration<? extends ZipEntry> entries = z.entries();
      while (entries.hasMoreElements()) {
        ZipEntry e = entries.nextElement();
        Path target = partial.resolve(e.getName()).normalize();
        if (!target.startsWith(partial)) throw new IOException("bad entry " + e.getName() + " in " + zip);
        Files.createDirectories(target.getParent());
        try (InputStream in = z.getInputStream(e); OutputStream out = Files.newOutputStream(target)) {
          in.transferTo(out);
        }
        if (EXECUTABLE.equals(e.getComment())) target.toFile().setExecutable(true);
      }
    }
    Files.writeString(partial.resolve(".complete"), "", StandardCharsets.UTF_8);
    try {
      Files.move(partial, into, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException raced) {
      // another task of this TaskManager unpacked the same runtime first
      deleteTree(partial);
      if (!Files.exists(into.resolve(".complete"))) throw raced;
    }
  }

  private static void copyTree(Path from, Path to) throws IOException {
    Files.walkFileTree(from, new SimpleFileVisitor<>() {
      @Override
      public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) throws IOException {
        Files.createDirectories(to.resolve(from.relativize(dir).toString()));
        return FileVisitResult.CONTINUE;
      }

      @Override
      public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
        Files.copy(file, to.resolve(from.relativize(file).toString()), StandardCopyOption.REPLACE_EXISTING);
        return FileVisitResult.CONTINUE;
      }
    });
  }

  /** Removes a folder and everything in it, as far as it can (also the spool folders of NodeTask and NodeWorkers). */
  static void deleteTree(Path dir) {
    // Files.walk gives up when an entry goes while it walks (Flink removes its own folders as it
    // stops): walk again until nothing is left.
    for (int pass = 0; pass < 5 && Files.exists(dir, java.nio.file.LinkOption.NOFOLLOW_LINKS); pass++) {
      try (var paths = Files.walk(dir)) {
        paths.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      } catch (IOException | UncheckedIOException ignored) {
        // something went while walking: once more
      }
    }
  }

  private static String digest(String s) {
    try {
      byte[] d = MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(d, 0, 8);
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
