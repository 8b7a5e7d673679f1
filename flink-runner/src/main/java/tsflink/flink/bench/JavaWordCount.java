package tsflink.flink.bench;

import org.apache.flink.api.common.functions.FlatMapFunction;
import org.apache.flink.api.java.ExecutionEnvironment;
import org.apache.flink.api.java.tuple.Tuple2;
import org.apache.flink.core.fs.FileSystem.WriteMode;
import org.apache.flink.util.Collector;

import java.util.regex.Pattern;

/**
 * The benchmark's reference for the Flink target: WordCount written as a plain Flink Java
 * DataSet program, asking exactly what bench/jobs/wordcount.ts asks (lower-cased runs of
 * letters, digits and apostrophes, counted, written as {@code word,count} CSV).
 *
 * <p>{@code JavaWordCount <input> <output> <parallelism> --jobmanager host:port}
 */
public final class JavaWordCount {
  private static final Pattern SEPARATOR = Pattern.compile("[^a-z0-9']+");

  private JavaWordCount() {}

  public static void main(String[] args) throws Exception {
    if (args.length != 5 || !args[3].equals("--jobmanager")) {
      System.err.println("usage: JavaWordCount <input> <output> <parallelism> --jobmanager host:port");
      System.exit(2);
    }
    String jobmanager = args[4];
    int colon = jobmanager.lastIndexOf(':');
    String jar = JavaWordCount.class.getProtectionDomain().getCodeSource().getLocation().getPath();
    ExecutionEnvironment env = ExecutionEnvironment.createRemoteEnvironment(jobmanager.substring(0, colon), Integer.parseInt(jobmanager.substring(colon + 1)), jar);
    env.setParallelism(Integer.parseInt(args[2]));
    env.readTextFile(args[0])
        .flatMap(new Tokenizer())
        .groupBy(0)
        .sum(1)
        .writeAsCsv(args[1], WriteMode.OVERWRITE);
    env.execute("bench: WordCount (Flink Java)");
  }

  /** Lower-cased words of a line, each with a count of one. */
  public static final class Tokenizer implements FlatMapFunction<String, Tuple2<String, Integer>> {
    @Override
    public void flatMap(String line, Collector<Tuple2<String, Integer>> out) {
      for (String word : SEPARATOR.split(line.toLowerCase())) {
        if (!word.isEmpty()) out.collect(new Tuple2<>(word, 1));
      }
    }
  }
}
