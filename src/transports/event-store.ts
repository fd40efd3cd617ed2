// Resumable streams for one HTTP session: a ring buffer of its last `capacity` SSE events, and no
// more than `maxBytes` of them, so a client that lost its connection can reconnect with
// Last-Event-ID and get what it missed. One store per session, so dropping the session drops its
// events; bounded in count and bytes, so neither a long session nor many sessions with large
// results grow memory without limit (the SDK's example store is unbounded).
import type { EventId, EventStore, StreamId } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import type { JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';

interface StoredEvent {
  seq: number;
  streamId: StreamId;
  /** Kept as JSON text: its length is what it costs (a parsed object costs several times more). */
  json: string;
}

export class BoundedEventStore implements EventStore {
  private readonly ring: (StoredEvent | undefined)[];
  private last = 0;
  /** Events before this one were dropped to stay within maxBytes. */
  private floor = 1;
  private bytes = 0;

  constructor(
    private readonly capacity: number,
    private readonly maxBytes = Number.POSITIVE_INFINITY,
  ) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError(`event store capacity must be a positive integer, got ${capacity}`);
    this.ring = new Array<StoredEvent | undefined>(capacity);
  }

  async storeEvent(streamId: StreamId, message: JSONRPCMessage): Promise<EventId> {
    const seq = ++this.last;
    const json = JSON.stringify(message);
    const evicted = this.ring[seq % this.capacity];
    if (evicted) this.bytes -= evicted.json.length;
    this.ring[seq % this.capacity] = { seq, streamId, json };
    this.bytes += json.length;
    this.floor = Math.max(this.floor, seq - this.capacity + 1);
    // Oldest first, but never the event just stored: a response larger than the budget stays resumable until the next one.
    while (this.bytes > this.maxBytes && this.floor < seq) {
      const old = this.at(this.floor);
      if (old) {
        this.bytes -= old.json.length;
        this.ring[this.floor % this.capacity] = undefined;
      }
      this.floor++;
    }
    return eventId(streamId, seq);
  }

  /**
   * The stream an event belongs to. An id older than the buffer still names its stream (the id
   * carries it), so the client gets whatever of that stream is retained — for a call in
   * progress, that is usually its response — rather than a refusal.
   */
  async getStreamIdForEventId(id: EventId): Promise<StreamId | undefined> {
    const parsed = parseEventId(id);
    if (!parsed || parsed.seq > this.last) return undefined;
    if (parsed.seq < this.oldest()) return parsed.streamId;
    return this.at(parsed.seq)?.streamId === parsed.streamId ? parsed.streamId : undefined;
  }

  async replayEventsAfter(lastEventId: EventId, { send }: { send: (eventId: EventId, message: JSONRPCMessage) => Promise<void> }): Promise<StreamId> {
    const parsed = parseEventId(lastEventId);
    if (!parsed) throw new Error(`Unknown event id ${lastEventId}`);
    for (let seq = Math.max(parsed.seq + 1, this.oldest()); seq <= this.last; seq++) {
      const event = this.at(seq);
      if (event?.streamId === parsed.streamId) await send(eventId(event.streamId, seq), JSON.parse(event.json) as JSONRPCMessage);
    }
    return parsed.streamId;
  }

  private oldest(): number {
    return Math.max(this.floor, this.last - this.capacity + 1);
  }

  private at(seq: number): StoredEvent | undefined {
    const event = this.ring[seq % this.capacity];
    return event?.seq === seq ? event : undefined;
  }
}

// The stream id travels in the event id, so a resume can name its stream even after eviction.
const eventId = (streamId: StreamId, seq: number): EventId => `${streamId}.${seq}`;

function parseEventId(id: EventId): { streamId: StreamId; seq: number } | undefined {
  const match = /^(.+)\.([1-9]\d{0,14})$/.exec(id);
  return match ? { streamId: match[1]!, seq: Number(match[2]) } : undefined;
}
