/**
 * Bytes the file sources of this thread have read, counted per chunk or per positioned read
 * (never per record). The runtime reads differences of it around a subtask (subtask-meter.ts).
 */
export const readStatistics = { bytes: 0 };
