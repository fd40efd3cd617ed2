// Works around an ordering race in SDK 1.32's Protocol: it runs notification handlers a microtask
// late but handles a response at once, removing that request's progress handler. A final progress
// notification that arrives in the same chunk as its response (common on stdio and SSE streams)
// is therefore dropped. Delivering each incoming message one microtask after the previous one lets
// the notification's handler run first, and keeps close behind every message received before it.
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';

export function inOrder(inner: Transport): Transport {
  let delivery: Promise<void> = Promise.resolve();
  const later = (deliver: () => void): void => {
    delivery = delivery.then(deliver).catch((error: unknown) => outer.onerror?.(error instanceof Error ? error : new Error(String(error))));
  };
  const outer: Transport = {
    start: () => inner.start(),
    send: (message, options) => inner.send(message, options),
    close: () => inner.close(),
    get sessionId() {
      return inner.sessionId;
    },
    setProtocolVersion: (version) => inner.setProtocolVersion?.(version),
  };
  inner.onmessage = (message, extra) => later(() => outer.onmessage?.(message, extra));
  inner.onclose = () => later(() => outer.onclose?.());
  inner.onerror = (error) => outer.onerror?.(error);
  return outer;
}
