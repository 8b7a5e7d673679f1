/**
 * Synchronous calls into asynchronous I/O: a worker thread does the I/O (HTTP for WebHDFS) and
 * the calling thread waits on a shared word (Atomics.wait) for its answer, which it takes with
 * receiveMessageOnPort. One call is outstanding at a time; `send` posts a request that has no
 * answer (a sink's bytes, streamed into an open upload), whose failure the next call reports.
 *
 * Hand-written rather than synckit: synckit offers only request/answer calls, and a sink streams
 * a file's bytes into one open upload without waiting for each chunk.
 */
import { MessageChannel, type MessagePort, Worker, receiveMessageOnPort, type TransferListItem } from 'node:worker_threads';

export interface BridgeRequest {
  readonly op: string;
  readonly [field: string]: unknown;
}

/** What a worker answers: a value, or an error's message and its kind. */
export type BridgeAnswer = { readonly ok: true; readonly value: unknown } | { readonly ok: false; readonly message: string; readonly code?: string };

export class BridgeError extends Error {
  readonly code: string | undefined;
  constructor(message: string, code?: string) {
    super(message);
    this.name = 'BridgeError';
    this.code = code;
  }
}

const READY_MS = 30_000;

export class SyncBridge {
  private readonly worker: Worker;
  private readonly port: MessagePort;
  private readonly signal: Int32Array;
  private readonly timeoutMs: number;
  private dead: string | null = null;

  /** `module`: the worker's module (a file URL); it gets `{ port, signal }` as workerData (see `serveBridge`). */
  constructor(module: URL, timeoutMs: number) {
    const { port1, port2 } = new MessageChannel();
    const shared = new SharedArrayBuffer(8);
    this.signal = new Int32Array(shared);
    this.port = port1;
    this.timeoutMs = timeoutMs;
    const workerData = { port: port2, signal: shared };
    const tsx = module.pathname.endsWith('.ts') ? tsxEsm() : null;
    // From tsflink's .ts sources (its tests), the worker registers tsx before it loads its module.
    this.worker =
      tsx === null
        ? new Worker(module, { workerData, transferList: [port2], execArgv: [] })
        : new Worker(`import(${JSON.stringify(tsx)}).then((t) => { t.register(); return import(${JSON.stringify(module.href)}); })`, { eval: true, workerData, transferList: [port2], execArgv: [] });
    this.worker.on('error', (e) => {
      this.dead = e.message;
    });
    this.worker.unref();
    this.port.unref();
  }

  /** Sends a request and waits for its answer; throws the worker's error as a BridgeError. */
  call(request: BridgeRequest, transfer: readonly TransferListItem[] = []): unknown {
    if (this.dead !== null) throw new BridgeError(`the I/O thread failed: ${this.dead}`);
    // Word 1: the worker says it is serving (it cannot start while this thread is blocked, and
    // a worker that fails to load would leave every call waiting for its whole timeout).
    if (Atomics.load(this.signal, 1) === 0 && Atomics.wait(this.signal, 1, 0, READY_MS) === 'timed-out') {
      throw new BridgeError(`the I/O thread did not start within ${READY_MS / 1000} s`);
    }
    Atomics.store(this.signal, 0, 0);
    this.port.postMessage({ ...request, reply: true }, transfer as TransferListItem[]);
    const deadline = Date.now() + this.timeoutMs;
    for (;;) {
      Atomics.wait(this.signal, 0, 0, Math.min(1000, Math.max(1, deadline - Date.now())));
      const message = receiveMessageOnPort(this.port);
      if (message !== undefined) {
        const answer = message.message as BridgeAnswer;
        if (answer.ok) return answer.value;
        throw new BridgeError(answer.message, answer.code);
      }
      if (Date.now() >= deadline) throw new BridgeError(`no answer within ${Math.round(this.timeoutMs / 1000)} s to ${request.op}`, 'ETIMEDOUT');
    }
  }

  /** Posts a request with no answer. */
  send(request: BridgeRequest, transfer: readonly TransferListItem[] = []): void {
    this.port.postMessage(request, transfer as TransferListItem[]);
  }
}

/** In the worker: answers each request with `handle`'s value or error, in the order they arrive. */
export function serveBridge(workerData: { port: MessagePort; signal: SharedArrayBuffer }, handle: (request: BridgeRequest) => Promise<{ value: unknown; transfer?: TransferListItem[] }>): void {
  const signal = new Int32Array(workerData.signal);
  const port = workerData.port;
  const answer = (a: BridgeAnswer, transfer: TransferListItem[] = []): void => {
    port.postMessage(a, transfer);
    Atomics.store(signal, 0, 1);
    Atomics.notify(signal, 0);
  };
  Atomics.store(signal, 1, 1);
  Atomics.notify(signal, 1);
  port.on('message', (request: BridgeRequest & { reply?: boolean }) => {
    handle(request).then(
      ({ value, transfer }) => {
        if (request.reply === true) answer({ ok: true, value }, transfer);
      },
      (e: unknown) => {
        if (request.reply === true) answer({ ok: false, message: e instanceof Error ? e.message : String(e), code: (e as { code?: string }).code });
      },
    );
  });
}

function tsxEsm(): string | null {
  try {
    return import.meta.resolve('tsx/esm/api');
  } catch {
    return null;
  }
}
