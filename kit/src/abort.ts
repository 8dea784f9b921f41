/**
 * Cancellation shared by many waiters. A stream's requests all wait on its one signal (in the rate limiter's
 * queue, in a retry's backoff, on the wire); one `abort` listener per waiter would pass Node's limit of 10
 * listeners per signal and print a MaxListenersExceededWarning. Here each signal gets one listener, which
 * calls every callback registered on it.
 */
const callbacksBySignal = new WeakMap<AbortSignal, Set<() => void>>();

/** Calls `callback` once when `signal` aborts (at once if it already has); returns the function that unregisters it. */
export function onAbort(signal: AbortSignal, callback: () => void): () => void {
  if (signal.aborted) {
    callback();
    return () => undefined;
  }
  let callbacks = callbacksBySignal.get(signal);
  if (callbacks === undefined) {
    const registered = new Set<() => void>();
    callbacks = registered;
    callbacksBySignal.set(signal, registered);
    signal.addEventListener(
      'abort',
      () => {
        callbacksBySignal.delete(signal);
        for (const registeredCallback of registered) registeredCallback();
      },
      { once: true },
    );
  }
  const entry = () => callback();
  callbacks.add(entry);
  return () => {
    callbacks.delete(entry);
  };
}

/** Waits `ms`; rejects with the signal's reason when it aborts first. One listener per signal, however many wait. */
export function abortableSleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal === undefined) {
      setTimeout(resolve, ms);
      return;
    }
    const timer = setTimeout(() => {
      unregister();
      resolve();
    }, ms);
    const unregister = onAbort(signal, () => {
      clearTimeout(timer);
      reject(signal.reason);
    });
  });
}

/**
 * A signal that aborts when any of `signals` does, registered through `onAbort`; `release` unregisters it
 * once the work it guards is over.
 */
export function linkedSignal(signals: readonly AbortSignal[]): { signal: AbortSignal; release: () => void } {
  const controller = new AbortController();
  const releases = signals.map((signal) => onAbort(signal, () => controller.abort(signal.reason)));
  return {
    signal: controller.signal,
    release: () => {
      for (const release of releases) release();
    },
  };
}
