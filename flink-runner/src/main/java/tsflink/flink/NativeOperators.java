package tsflink.flink;

import java.util.function.IntFunction;
import org.apache.flink.api.common.functions.CrossFunction;
import org.apache.flink.api.common.functions.GroupReduceFunction;
import org.apache.flink.api.common.functions.JoinFunction;
import org.apache.flink.api.common.operators.Order;
import org.apache.flink.api.common.operators.base.JoinOperatorBase.JoinHint;
import org.apache.flink.api.java.DataSet;
import org.apache.flink.api.java.operators.UnsortedGrouping;
import org.apache.flink.util.Collector;

/**
 * The operators Flink runs itself in front of a task's Node worker (plan-export.ts: the task's
 * {@code native}), on keyed records ({@link Rec}) and their canonical keys:
 *
 * <ul>
 *   <li>{@code join}: Flink's inner or outer equi-join with the hint that matches tsflink's plan
 *       (broadcast or repartition, the side it builds on); each pair goes to the worker as a
 *       two-field tuple {@code [left, right]} (null on an outer join's missing side), whose join
 *       function runs on it.
 *   <li>{@code cross}: Flink's {@code crossWithTiny}/{@code crossWithHuge}, broadcasting the side
 *       tsflink broadcasts; pairs go to the worker as for a join.
 *   <li>{@code distinct}: Flink's distinct on the key; the worker passes the records on.
 *   <li>{@code first}: Flink's {@code groupBy(key)[.sortGroup(sort key)].first(n)}.
 *   <li>{@code groups}: Flink's {@code groupBy(key)[.sortGroup(sort key)].reduceGroup}, which
 *       hands each group whole, as one tuple record, to the worker's group reduce function.
 * </ul>
 */
final class NativeOperators {
  private NativeOperators() {}

  static DataSet<Rec> bind(PlanFile.Native op, IntFunction<DataSet<Rec>> slot, int p, String name) {
    // (Java 17: no pattern matching in switch yet.)
    if (op instanceof PlanFile.Join join) return join(join, slot.apply(0), slot.apply(1), p, name);
    if (op instanceof PlanFile.Cross cross) return cross(cross, slot.apply(0), slot.apply(1), p, name);
    if (op instanceof PlanFile.Distinct) return slot.apply(0).distinct(Rec.KEY).setParallelism(p).name("Distinct of " + name + " (Flink)");
    if (op instanceof PlanFile.First first) {
      UnsortedGrouping<Rec> groups = slot.apply(0).groupBy(Rec.KEY);
      int n = first.n();
      DataSet<Rec> firsts = first.sorted() ? groups.sortGroup(Rec.SORT, Order.ASCENDING).first(n) : groups.first(n);
      return ((org.apache.flink.api.java.operators.Operator<Rec, ?>) firsts).setParallelism(p).name("First " + n + " of " + name + " (Flink)");
    }
    PlanFile.Groups grouped = (PlanFile.Groups) op; // the last of PlanFile.Native's sealed kinds
    UnsortedGrouping<Rec> groups = slot.apply(0).groupBy(Rec.KEY);
    var reduced = grouped.sorted() ? groups.sortGroup(Rec.SORT, Order.ASCENDING).reduceGroup(new Groups()) : groups.reduceGroup(new Groups());
    return reduced.returns(Rec.TYPE).setParallelism(p).name("Groups of " + name + " (Flink)");
  }

  private static DataSet<Rec> join(PlanFile.Join op, DataSet<Rec> left, DataSet<Rec> right, int p, String name) {
    JoinHint hint = op.hint();
    String label = "Join of " + name + " (Flink, " + hint + ")";
    return switch (op.joinType()) {
      case INNER -> left.join(right, hint).where(Rec.KEY).equalTo(Rec.KEY).with(new Pairs()).returns(Rec.TYPE).setParallelism(p).name(label);
      case LEFT_OUTER -> left.leftOuterJoin(right, hint).where(Rec.KEY).equalTo(Rec.KEY).with(new Pairs()).returns(Rec.TYPE).setParallelism(p).name(label);
      case RIGHT_OUTER -> left.rightOuterJoin(right, hint).where(Rec.KEY).equalTo(Rec.KEY).with(new Pairs()).returns(Rec.TYPE).setParallelism(p).name(label);
      case FULL_OUTER -> left.fullOuterJoin(right, hint).where(Rec.KEY).equalTo(Rec.KEY).with(new Pairs()).returns(Rec.TYPE).setParallelism(p).name(label);
    };
  }

  private static DataSet<Rec> cross(PlanFile.Cross op, DataSet<Rec> left, DataSet<Rec> right, int p, String name) {
    boolean broadcastFirst = op.broadcast() == PlanFile.Side.FIRST;
    var crossed = broadcastFirst ? left.crossWithHuge(right) : left.crossWithTiny(right);
    return crossed.with(new Pairs()).returns(Rec.TYPE).setParallelism(p).name("Cross of " + name + " (Flink, " + (broadcastFirst ? "crossWithHuge" : "crossWithTiny") + ")");
  }

  /** A whole group as one record for the worker: the tuple of its records, in the group's order. */
  static final class Groups implements GroupReduceFunction<Rec, Rec> {
    private static final long serialVersionUID = 1L;

    @Override
    public void reduce(Iterable<Rec> values, Collector<Rec> out) {
      java.io.ByteArrayOutputStream body = new java.io.ByteArrayOutputStream();
      int count = 0;
      for (Rec r : values) {
        body.write(r.f4, 0, r.f4.length);
        count++;
      }
      java.io.ByteArrayOutputStream group = new java.io.ByteArrayOutputStream(body.size() + 6);
      group.write(0x09); // a tuple of `count` values
      for (int n = count; ; n >>>= 7) {
        if ((n & ~0x7f) == 0) {
          group.write(n);
          break;
        }
        group.write((n & 0x7f) | 0x80);
      }
      try {
        body.writeTo(group);
      } catch (java.io.IOException e) {
        throw new java.io.UncheckedIOException(e); // in memory: never
      }
      out.collect(new Rec(0, Rec.SINGLE, Rec.noKey(), Rec.noKey(), group.toByteArray()));
    }
  }

  /** A joined or crossed pair as one record for the worker: the tuple {@code [left, right]} in tsflink's record format. */
  static final class Pairs implements JoinFunction<Rec, Rec, Rec>, CrossFunction<Rec, Rec, Rec> {
    private static final long serialVersionUID = 1L;
    private static final byte TUPLE = 0x09;
    private static final byte NULL = 0x00;

    @Override
    public Rec cross(Rec left, Rec right) {
      return join(left, right);
    }

    @Override
    public Rec join(Rec left, Rec right) {
      int l = left == null ? 1 : left.f4.length;
      int r = right == null ? 1 : right.f4.length;
      byte[] pair = new byte[2 + l + r];
      pair[0] = TUPLE;
      pair[1] = 2; // the varint field count
      if (left == null) pair[2] = NULL;
      else System.arraycopy(left.f4, 0, pair, 2, l);
      if (right == null) pair[2 + l] = NULL;
      else System.arraycopy(right.f4, 0, pair, 2 + l, r);
      return new Rec(0, Rec.SINGLE, Rec.noKey(), Rec.noKey(), pair);
    }
  }
}
