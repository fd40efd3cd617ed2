// A trace writer that shows each record to an observer before queuing it: every call writes
// exactly one trace, so per-call metrics are counted here without touching the call paths.
import type { TraceRecord } from './record.js';
import type { TraceWriter } from './writer.js';

export function observedTraces(writer: TraceWriter, observe: (record: TraceRecord) => void, onError: (error: unknown) => void): TraceWriter {
  return {
    get pending() {
      return writer.pending;
    },
    write(record) {
      try {
        observe(record);
      } catch (error) {
        onError(error); // counting must never cost a trace
      }
      return writer.write(record);
    },
    flush: () => writer.flush(),
    close: () => writer.close(),
  };
}
