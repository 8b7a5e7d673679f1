package tsflink.flink.bench;

import org.apache.flink.api.common.functions.FlatMapFunction;
import org.apache.flink.api.common.functions.JoinFunction;
import org.apache.flink.api.common.functions.MapFunction;
import org.apache.flink.api.java.ExecutionEnvironment;
import org.apache.flink.api.java.tuple.Tuple2;
import org.apache.flink.api.java.tuple.Tuple3;
import org.apache.flink.core.fs.FileSystem.WriteMode;
import org.apache.flink.util.Collector;

import java.util.regex.Pattern;

/**
 * The benchmark's peer "Flink Java DataSet": each of its questions as a plain Flink 1.20 Java
 * DataSet program, run in this JVM on a local environment (a MiniCluster) at the given
 * parallelism, written as the same CSV rows as the baseline's. One JVM per run, start-up
 * included, like every other contender (bench/harness/workloads.ts).
 *
 * <pre>
 * JavaLocalDataSet wordcount &lt;parallelism&gt; &lt;input.txt&gt; &lt;output&gt;     word,count
 * JavaLocalDataSet groupby &lt;parallelism&gt; &lt;input.csv&gt; &lt;output&gt;       key,sum,count from key,category,value
 * JavaLocalDataSet join &lt;parallelism&gt; &lt;orders.csv&gt; &lt;customers.csv&gt; &lt;output&gt;   orderkey,amount,nation
 * JavaLocalDataSet distinct &lt;parallelism&gt; &lt;input.csv&gt; &lt;output&gt;      user,item
 * </pre>
 */
public final class JavaLocalDataSet {
  /** bench/shared/word-separator.ts, on the lower-cased line. */
  private static final Pattern SEPARATOR = Pattern.compile("[^a-z0-9']+");

  private JavaLocalDataSet() {}

  public static void main(String[] args) throws Exception {
    if (args.length < 4) usage();
    String query = args[0];
    ExecutionEnvironment env = ExecutionEnvironment.createLocalEnvironment(Integer.parseInt(args[1]));
    String output = args[args.length - 1];
    switch (query) {
      case "wordcount" -> env.readTextFile(args[2]).flatMap(new Tokenizer()).groupBy(0).sum(1).writeAsCsv(output, WriteMode.OVERWRITE);
      case "groupby" ->
          env.readCsvFile(args[2])
              .includeFields("101")
              .types(String.class, Long.class)
              .map(new WithCount())
              .groupBy(0)
              .sum(1)
              .andSum(2)
              .writeAsCsv(output, WriteMode.OVERWRITE);
      case "join" -> {
        if (args.length != 5) usage();
        var orders = env.readCsvFile(args[2]).types(Long.class, Long.class, Long.class);
        var customers = env.readCsvFile(args[3]).includeFields("101").types(Long.class, String.class);
        orders.join(customers).where(1).equalTo(0).with(new OrderNation()).writeAsCsv(output, WriteMode.OVERWRITE);
      }
      case "distinct" -> env.readCsvFile(args[2]).types(Long.class, Long.class).distinct().writeAsCsv(output, WriteMode.OVERWRITE);
      default -> usage();
    }
    env.execute("bench: " + query + " (Flink Java DataSet)");
  }

  private static void usage() {
    System.err.println("usage: JavaLocalDataSet wordcount|groupby|join|distinct <parallelism> <input>... <output>");
    System.exit(2);
  }

  /** Lower-cased words of a line, each with a count of one. */
  public static final class Tokenizer implements FlatMapFunction<String, Tuple2<String, Long>> {
    @Override
    public void flatMap(String line, Collector<Tuple2<String, Long>> out) {
      for (String word : SEPARATOR.split(line.toLowerCase())) {
        if (!word.isEmpty()) out.collect(Tuple2.of(word, 1L));
      }
    }
  }

  /** (key, value) → (key, value, 1). */
  public static final class WithCount implements MapFunction<Tuple2<String, Long>, Tuple3<String, Long, Long>> {
    @Override
    public Tuple3<String, Long, Long> map(Tuple2<String, Long> row) {
      return Tuple3.of(row.f0, row.f1, 1L);
    }
  }

  /** (orderkey, custkey, amount) ⋈ (custkey, nation) → (orderkey, amount, nation). */
  public static final class OrderNation implements JoinFunction<Tuple3<Long, Long, Long>, Tuple2<Long, String>, Tuple3<Long, Long, String>> {
    @Override
    public Tuple3<Long, Long, String> join(Tuple3<Long, Long, Long> order, Tuple2<Long, String> customer) {
      return Tuple3.of(order.f0, order.f2, customer.f1);
    }
  }
}
