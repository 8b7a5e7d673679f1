/**
 * The I/O thread of the WebHDFS file system (webhdfs.ts): WebHDFS REST calls with fetch, answered
 * through the sync bridge. Reads stream: a file open for reading has one HTTP response in flight
 * from the position last read, read ahead by at most READ_AHEAD bytes; a read elsewhere starts a
 * new one. Writes stream: a file being created is one PUT to its DataNode whose body is the
 * chunks the sink sends, taken as the upload asks for them.
 *
 * WebHDFS: https://hadoop.apache.org/docs/stable/hadoop-project-dist/hadoop-hdfs/WebHDFS.html
 */
import { request as httpRequest } from 'node:http';
import { type TransferListItem, workerData } from 'node:worker_threads';
import { type BridgeRequest, serveBridge } from './sync-bridge.ts';

const READ_AHEAD = 8 << 20;

interface Reader {
  readonly url: string;
  position: number;
  chunks: Uint8Array[];
  buffered: number;
  done: boolean;
  error: Error | null;
  cancel: (() => void) | null;
  /** Wakes whoever waits for data (the bridge) or for room (the pump). */
  wake: (() => void) | null;
}

interface Upload {
  chunks: Uint8Array[];
  ended: boolean;
  pull: (() => void) | null;
  result: Promise<void>;
  error: Error | null;
}

const readers = new Map<number, { url: string; current: Reader | null }>();
const uploads = new Map<number, Upload>();

class WebHdfsError extends Error {
  readonly code: string;
  constructor(message: string, code: string) {
    super(message);
    this.code = code;
  }
}

/** The RemoteException of an error answer, as an Error whose code names its Java exception. */
async function failure(response: Response, what: string): Promise<WebHdfsError> {
  return remoteError(await response.text().catch(() => ''), response.status, response.statusText, what);
}

function remoteError(text: string, status: number, statusText: string, what: string): WebHdfsError {
  try {
    const remote = (JSON.parse(text) as { RemoteException?: { exception?: string; message?: string } }).RemoteException;
    if (remote !== undefined) return new WebHdfsError(`${what}: ${remote.exception ?? 'error'}: ${(remote.message ?? '').split('\n')[0]}`, remote.exception ?? `HTTP${status}`);
  } catch {
    // not JSON
  }
  return new WebHdfsError(`${what}: HTTP ${status} ${statusText}${text ? `: ${text.slice(0, 200)}` : ''}`, `HTTP${status}`);
}

async function json(url: string, method: string, what: string): Promise<unknown> {
  let response: Response;
  try {
    response = await fetch(url, { method, redirect: 'follow' });
  } catch (e) {
    throw new WebHdfsError(`${what}: cannot reach WebHDFS at ${new URL(url).host} (${causeText(e)})`, 'ECONNREFUSED');
  }
  if (!response.ok) throw await failure(response, what);
  return response.json();
}

function causeText(e: unknown): string {
  const cause = (e as { cause?: { message?: string; code?: string } }).cause;
  return cause?.code ?? cause?.message ?? (e as Error).message;
}

function startReader(url: string, position: number): Reader {
  const reader: Reader = { url, position, chunks: [], buffered: 0, done: false, error: null, cancel: null, wake: null };
  const controller = new AbortController();
  reader.cancel = () => controller.abort();
  void (async () => {
    try {
      const response = await fetch(`${url}&offset=${position}`, { redirect: 'follow', signal: controller.signal });
      if (!response.ok) throw await failure(response, `cannot read at byte ${position}`);
      const body = response.body!.getReader();
      for (;;) {
        while (reader.buffered >= READ_AHEAD && !controller.signal.aborted) await new Promise<void>((resolve) => (reader.wake = resolve));
        if (controller.signal.aborted) return;
        const { done, value } = await body.read();
        if (done) break;
        reader.chunks.push(value);
        reader.buffered += value.length;
        wake(reader);
      }
    } catch (e) {
      if (!controller.signal.aborted) reader.error = e instanceof Error ? e : new Error(String(e));
    }
    reader.done = true;
    wake(reader);
  })();
  return reader;
}

function wake(reader: Reader): void {
  const w = reader.wake;
  reader.wake = null;
  w?.();
}

async function read(handle: number, position: number, length: number): Promise<Uint8Array> {
  const file = readers.get(handle)!;
  let reader = file.current;
  if (reader === null || reader.position !== position) {
    reader?.cancel?.();
    reader = file.current = startReader(file.url, position);
  }
  while (reader.chunks.length === 0 && !reader.done) await new Promise<void>((resolve) => (reader.wake = resolve));
  if (reader.chunks.length === 0) {
    if (reader.error !== null) throw reader.error;
    return new Uint8Array(0);
  }
  const parts: Uint8Array[] = [];
  let n = 0;
  while (n < length && reader.chunks.length > 0) {
    const chunk = reader.chunks[0]!;
    const take = Math.min(chunk.length, length - n);
    parts.push(take === chunk.length ? chunk : chunk.subarray(0, take));
    if (take === chunk.length) reader.chunks.shift();
    else reader.chunks[0] = chunk.subarray(take);
    n += take;
  }
  reader.buffered -= n;
  reader.position += n;
  wake(reader); // room to read ahead
  if (parts.length === 1 && parts[0]!.byteOffset === 0 && parts[0]!.byteLength === parts[0]!.buffer.byteLength) return parts[0]!;
  const out = new Uint8Array(n);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/**
 * Starts a file's upload: asks the NameNode where to write, then streams the body to that
 * DataNode with node:http. (Not fetch: the DataNode answers a PUT with a `100 Continue` nobody
 * asked for before its `201 Created`, which undici refuses as a bad response.)
 */
async function create(id: number, url: string, what: string): Promise<void> {
  const location = ((await json(`${url}&noredirect=true`, 'PUT', what)) as { Location: string }).Location;
  const upload: Upload = { chunks: [], ended: false, pull: null, error: null, result: Promise.resolve() };
  uploads.set(id, upload);
  upload.result = new Promise<void>((resolve, reject) => {
    const request = httpRequest(location, { method: 'PUT', headers: { 'content-type': 'application/octet-stream' } });
    request.on('error', (e) => reject(new WebHdfsError(`${what}: the upload to ${new URL(location).host} failed (${(e as NodeJS.ErrnoException).code ?? e.message})`, 'EIO')));
    request.on('response', (response) => {
      const parts: Buffer[] = [];
      response.on('data', (b: Buffer) => parts.push(b));
      response.on('end', () => {
        if ((response.statusCode ?? 500) < 300) return resolve();
        const text = Buffer.concat(parts).toString('utf8');
        reject(remoteError(text, response.statusCode ?? 500, response.statusMessage ?? '', what));
      });
    });
    // Sends the queued chunks as the socket takes them; ends the body when the sink closes the file.
    const pump = (): void => {
      while (upload.chunks.length > 0) {
        if (!request.write(upload.chunks.shift()!)) {
          request.once('drain', pump);
          return;
        }
      }
      if (upload.ended) request.end();
      else upload.pull = pump;
    };
    pump();
  });
  upload.result.catch((e: unknown) => {
    upload.error = e as Error;
  });
}

function push(upload: Upload): void {
  const p = upload.pull;
  upload.pull = null;
  p?.();
}

async function handle(request: BridgeRequest): Promise<{ value: unknown; transfer?: TransferListItem[] }> {
  const r = request as BridgeRequest & Record<string, unknown>;
  switch (request.op) {
    case 'json':
      return { value: await json(r.url as string, r.method as string, r.what as string) };
    case 'openRead':
      readers.set(r.handle as number, { url: r.url as string, current: null });
      return { value: null };
    case 'read': {
      const bytes = await read(r.handle as number, r.position as number, r.length as number);
      return { value: bytes, transfer: bytes.byteLength > 0 ? [bytes.buffer as ArrayBuffer] : [] };
    }
    case 'closeRead':
      readers.get(r.handle as number)?.current?.cancel?.();
      readers.delete(r.handle as number);
      return { value: null };
    case 'create':
      await create(r.handle as number, r.url as string, r.what as string);
      return { value: null };
    case 'write': {
      // Sent without an answer: queued at once, in the order sent.
      const upload = uploads.get(r.handle as number);
      if (upload !== undefined) {
        upload.chunks.push(r.bytes as unknown as Uint8Array);
        push(upload);
      }
      return { value: null };
    }
    case 'drain': {
      const upload = uploads.get(r.handle as number)!;
      while (upload.chunks.length > 2 && upload.error === null) await new Promise((resolve) => setTimeout(resolve, 2));
      if (upload.error !== null) throw upload.error;
      return { value: null };
    }
    case 'closeWrite': {
      const upload = uploads.get(r.handle as number)!;
      uploads.delete(r.handle as number);
      upload.ended = true;
      push(upload);
      await upload.result;
      return { value: null };
    }
    case 'abortWrite': {
      const upload = uploads.get(r.handle as number);
      uploads.delete(r.handle as number);
      if (upload !== undefined) {
        upload.ended = true;
        upload.chunks.length = 0;
        push(upload);
        await upload.result.catch(() => {});
      }
      return { value: null };
    }
    default:
      throw new Error(`unknown WebHDFS request ${request.op}`);
  }
}

serveBridge(workerData as Parameters<typeof serveBridge>[0], handle);
