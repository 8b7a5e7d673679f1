package tsflink.flink;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import org.apache.flink.api.java.ExecutionEnvironment;
import org.apache.flink.shaded.jackson2.com.fasterxml.jackson.databind.JsonNode;
import org.apache.flink.shaded.jackson2.com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.flink.shaded.jackson2.com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;

/**
 * The plan file between the TypeScript client and this binder, through the vector that the
 * TypeScript tests write and check too (test/runners/plan-vectors.test.ts): the binder builds a
 * Flink program from it (nothing runs), and refuses a plan file of another version.
 */
class PlanFileTest {
  private static JsonNode vector() throws Exception {
    // surefire runs in flink-runner/; the vectors live with the TypeScript tests.
    return new ObjectMapper().readTree(new File("../test/vectors/flink-plan.json"));
  }

  @Test
  void bindsTheSharedVector() throws Exception {
    JsonNode plan = vector();
    ExecutionEnvironment env = ExecutionEnvironment.createCollectionsEnvironment();
    // The vector has a collect() sink: its side records are the program's result.
    assertNotNull(PlanBinder.bind(env, plan));
  }

  @Test
  void refusesAnotherVersion() throws Exception {
    ObjectNode plan = (ObjectNode) vector();
    plan.put("version", PlanBinder.PLAN_VERSION + 1);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> PlanBinder.bind(ExecutionEnvironment.createCollectionsEnvironment(), plan));
    assertTrue(e.getMessage().contains("has version " + (PlanBinder.PLAN_VERSION + 1)), e.getMessage());
    plan.remove("version");
    assertThrows(IllegalArgumentException.class, () -> PlanBinder.bind(ExecutionEnvironment.createCollectionsEnvironment(), plan));
  }
}
