package tsflink.flink;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.operators.base.JoinOperatorBase.JoinHint;
import org.apache.flink.api.java.ExecutionEnvironment;
import org.apache.flink.api.java.operators.join.JoinType;
import org.apache.flink.shaded.jackson2.com.fasterxml.jackson.databind.JsonNode;
import org.apache.flink.shaded.jackson2.com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.flink.shaded.jackson2.com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;

/**
 * The plan file between the TypeScript client and this binder, through the vector that the
 * TypeScript tests write and check too (test/runners/plan-vectors.test.ts): it binds into the
 * {@link PlanFile} records field by field, the binder builds a Flink program from it (nothing
 * runs), and a plan file of another version or of another shape is refused, saying why.
 */
class PlanFileTest {
  private static JsonNode vector() throws Exception {
    // surefire runs in flink-runner/; the vectors live with the TypeScript tests.
    return new ObjectMapper().readTree(new File("../test/vectors/flink-plan.json"));
  }

  private static PlanFile.Task task(PlanFile plan, int id) {
    return plan.tasks().stream().filter(t -> t.id() == id).findFirst().orElseThrow();
  }

  @Test
  void bindsTheSharedVectorIntoTheRecords() throws Exception {
    PlanFile plan = PlanFile.read(new File("../test/vectors/flink-plan.json"));
    assertEquals(PlanFile.VERSION, plan.version());
    assertEquals("plan-vectors.test.ts job 1", plan.jobName());
    assertEquals(1, plan.retries());
    assertEquals(new PlanFile.Worker(List.of("node", "worker.js"), Map.of("TSFLINK_WORKER_CONFIG", "worker.json"), "/app"), plan.worker());
    assertNull(plan.ship());
    assertEquals(List.of(0, 1, 2, 3, 5, 4, 6, 7, 8), plan.tasks().stream().map(PlanFile.Task::id).toList());

    // The join: Flink's, on both inputs' canonical keys.
    PlanFile.Task join = task(plan, 2);
    assertEquals("Join -> Combine (Aggregate)", join.name());
    assertEquals(2, join.parallelism());
    assertEquals(new PlanFile.Join(JoinType.INNER, JoinHint.REPARTITION_HASH_SECOND), join.nativeOperator());
    assertEquals(List.of(new PlanFile.Input(0, 0, PlanFile.Records.KEYED), new PlanFile.Input(1, 0, PlanFile.Records.KEYED)), join.inputs());
    assertNull(task(plan, 3).nativeOperator());
    // Inside the iteration everything is batches, the broadcast set included.
    assertEquals(List.of(new PlanFile.Input(4, 0, PlanFile.Records.BATCHES), new PlanFile.Input(5, 0, PlanFile.Records.BATCHES)), task(plan, 6).inputs());

    PlanFile.Iteration it = plan.iterations().get(0);
    assertEquals(1, plan.iterations().size());
    assertEquals("Bulk iteration", it.name());
    assertEquals(3, it.maxIterations());
    assertEquals(List.of(4, 6), it.tasks());
    assertEquals(List.of(new PlanFile.Head(4, new PlanFile.ExchangeRef(3, 0), new PlanFile.ExchangeRef(6, 0))), it.heads());
    assertNull(it.criterion());
    assertEquals(7, it.result());
    assertFalse(it.aggregators());
    assertFalse(it.convergence());

    // The collect() sink: the one task whose side records are the job's result.
    PlanFile.Task sink = task(plan, 8);
    assertEquals("DataSink (collect)", sink.name());
    assertTrue(sink.side());
    assertEquals(List.of(8), plan.tasks().stream().filter(PlanFile.Task::side).map(PlanFile.Task::id).toList());
    assertEquals(List.of(new PlanFile.Input(7, 0, PlanFile.Records.BATCHES)), sink.inputs());
  }

  @Test
  void bindsEveryKindOfNativeOperatorAndAShip() throws Exception {
    ObjectNode plan = (ObjectNode) vector();
    ObjectMapper json = new ObjectMapper();
    String[] natives = {
      "{\"kind\":\"join\",\"joinType\":\"FULL_OUTER\",\"hint\":\"REPARTITION_SORT_MERGE\"}",
      "{\"kind\":\"cross\",\"broadcast\":\"FIRST\"}",
      "{\"kind\":\"distinct\"}",
      "{\"kind\":\"first\",\"n\":3,\"sorted\":true}",
      "{\"kind\":\"groups\",\"sorted\":false}",
    };
    PlanFile.Native[] expected = {
      new PlanFile.Join(JoinType.FULL_OUTER, JoinHint.REPARTITION_SORT_MERGE),
      new PlanFile.Cross(PlanFile.Side.FIRST),
      new PlanFile.Distinct(),
      new PlanFile.First(3, true),
      new PlanFile.Groups(false),
    };
    for (int k = 0; k < natives.length; k++) {
      ((ObjectNode) plan.get("tasks").get(2)).set("native", json.readTree(natives[k]));
      assertEquals(expected[k], PlanFile.of(plan).tasks().get(2).nativeOperator());
    }
    plan.set("ship", json.readTree("{\"appDir\":\"/job/app\",\"runtime\":[{\"as\":\"node_modules/tsflink/dist\",\"from\":\"/t/dist\"}],\"runtimeKey\":\"k1\",\"cachedFiles\":{\"words\":\"/data/words.txt\"}}"));
    assertEquals(new PlanFile.Ship("/job/app", List.of(new PlanFile.RuntimeEntry("node_modules/tsflink/dist", "/t/dist")), "k1", Map.of("words", "/data/words.txt")), PlanFile.of(plan).ship());
  }

  @Test
  void bindsTheSharedVectorIntoAFlinkProgram() throws Exception {
    ExecutionEnvironment env = ExecutionEnvironment.createCollectionsEnvironment();
    // The vector has a collect() sink: its side records are the program's result.
    assertNotNull(PlanBinder.bind(env, PlanFile.of(vector())));
  }

  @Test
  void refusesAnotherVersionNamingBoth() throws Exception {
    ObjectNode plan = (ObjectNode) vector();
    plan.put("version", PlanFile.VERSION + 1);
    // Of another version: refused as such, whatever else the file holds.
    plan.remove("tasks");
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> PlanFile.of(plan));
    assertTrue(e.getMessage().contains("has version " + (PlanFile.VERSION + 1) + "; this plan binder reads version " + PlanFile.VERSION), e.getMessage());
    plan.remove("version");
    e = assertThrows(IllegalArgumentException.class, () -> PlanFile.of(plan));
    assertTrue(e.getMessage().contains("has version (none)"), e.getMessage());
  }

  @Test
  void refusesAFileMissingARequiredFieldNamingIt() throws Exception {
    ObjectNode plan = (ObjectNode) vector();
    ((ObjectNode) plan.get("tasks").get(2)).remove("parallelism");
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> PlanFile.of(plan));
    assertTrue(e.getMessage().endsWith("schema (version 1), at tasks[2].parallelism: missing (every property is required)"), e.getMessage());

    // A nullable field must be there too (the client writes null), a required one must not be null.
    ObjectNode noCriterion = (ObjectNode) vector();
    ((ObjectNode) noCriterion.get("iterations").get(0)).remove("criterion");
    e = assertThrows(IllegalArgumentException.class, () -> PlanFile.of(noCriterion));
    assertTrue(e.getMessage().endsWith("at iterations[0].criterion: missing (every property is required)"), e.getMessage());
    ObjectNode nullName = (ObjectNode) vector();
    ((ObjectNode) nullName.get("tasks").get(0)).putNull("name");
    e = assertThrows(IllegalArgumentException.class, () -> PlanFile.of(nullName));
    assertTrue(e.getMessage().endsWith("at tasks[0].name: null where a value is required"), e.getMessage());
  }

  @Test
  void refusesWhatItDoesNotKnowNamingIt() throws Exception {
    ObjectNode unknownField = (ObjectNode) vector();
    ((ObjectNode) unknownField.get("tasks").get(1)).put("sortKeys", "[0]");
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> PlanFile.of(unknownField));
    assertTrue(e.getMessage().contains("tasks[1].sortKeys"), e.getMessage());

    ObjectNode unknownRecords = (ObjectNode) vector();
    ((ObjectNode) unknownRecords.get("tasks").get(2).get("inputs").get(0)).put("records", "sorted");
    e = assertThrows(IllegalArgumentException.class, () -> PlanFile.of(unknownRecords));
    assertTrue(e.getMessage().contains("tasks[2].inputs[0].records") && e.getMessage().contains("sorted"), e.getMessage());

    ObjectNode unknownNative = (ObjectNode) vector();
    ((ObjectNode) unknownNative.get("tasks").get(2).get("native")).put("kind", "coGroup");
    e = assertThrows(IllegalArgumentException.class, () -> PlanFile.of(unknownNative));
    assertTrue(e.getMessage().contains("tasks[2].native") && e.getMessage().contains("coGroup"), e.getMessage());
  }
}
