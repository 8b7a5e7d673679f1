package tsflink.flink;

/**
 * A Node worker reported an error (a throwing user function, a plan it could not rebuild).
 * The message carries the worker's error as JSON after {@link #MARKER}, so the binder can hand
 * it back to the tsflink client, which rethrows it with the embedded engine's text.
 */
public final class WorkerFailure extends RuntimeException {
  public static final String MARKER = "TSFLINK_WORKER_ERROR:";
  private static final long serialVersionUID = 1L;

  public WorkerFailure(String errorJson) {
    super(MARKER + errorJson);
  }

  /** The error JSON inside a message of this class (possibly wrapped by Flink), or null. */
  public static String errorJsonIn(String message) {
    if (message == null) return null;
    int i = message.indexOf(MARKER);
    return i < 0 ? null : message.substring(i + MARKER.length());
  }
}
