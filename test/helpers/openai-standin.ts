/**
 * An OpenAI-compatible stand-in on 127.0.0.1 that the real `openai` SDK talks to: `GET /v1/models` and
 * `POST /v1/chat/completions` with `Authorization: Bearer <key>` (401 otherwise), answered from a queue of
 * scripted replies — a message content, an HTTP error status, or no answer at all (to time out).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export type Reply = { readonly content: string } | { readonly status: number } | { readonly hang: true };

export class OpenAiStandin {
  /** Request bodies received, parsed. */
  readonly requests: Record<string, unknown>[] = [];
  private readonly replies: Reply[] = [];
  private readonly server: Server;
  private readonly hung: ServerResponse[] = [];
  private port = 0;

  private constructor(private readonly apiKey: string) {
    this.server = createServer((req, res) => void this.handle(req, res));
  }

  static async start(apiKey: string): Promise<OpenAiStandin> {
    const s = new OpenAiStandin(apiKey);
    await new Promise<void>((resolve) => s.server.listen(0, '127.0.0.1', resolve));
    s.port = (s.server.address() as AddressInfo).port;
    return s;
  }

  /** The base URL to hand the SDK (`OPENAI_BASE_URL`). */
  get url(): string {
    return `http://127.0.0.1:${this.port}/v1`;
  }

  /** Replaces the queue of replies: one per request, in order, the last one repeating. */
  reply(...replies: Reply[]): void {
    this.replies.splice(0, this.replies.length, ...replies);
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const send = (status: number, body: unknown): void => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    const known = (req.method === 'POST' && req.url === '/v1/chat/completions') || (req.method === 'GET' && req.url === '/v1/models');
    if (!known) return send(404, { error: { message: 'not found', type: 'invalid_request_error' } });
    if (req.headers.authorization !== `Bearer ${this.apiKey}`) return send(401, { error: { message: 'Incorrect API key provided', type: 'invalid_request_error', code: 'invalid_api_key' } });
    if (req.method === 'GET') return send(200, { object: 'list', data: [{ id: 'gpt-4o-mini', object: 'model', created: 0, owned_by: 'standin' }] });
    let body: Record<string, unknown>;
    try {
      body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>;
    } catch {
      return send(400, { error: { message: 'invalid JSON body', type: 'invalid_request_error' } });
    }
    this.requests.push(body);
    const r = this.replies.length > 1 ? this.replies.shift()! : this.replies[0];
    if (!r) return send(500, { error: { message: 'no scripted reply', type: 'server_error' } });
    if ('hang' in r) {
      this.hung.push(res);
      return;
    }
    if ('status' in r) return send(r.status, { error: { message: `scripted ${r.status}`, type: 'server_error' } });
    send(200, {
      id: `chatcmpl-${this.requests.length}`,
      object: 'chat.completion',
      created: Math.floor(Date.now() / 1000),
      model: String(body.model),
      choices: [{ index: 0, message: { role: 'assistant', content: r.content, refusal: null }, finish_reason: 'stop', logprobs: null }],
      usage: { prompt_tokens: 100, completion_tokens: 50, total_tokens: 150 },
    });
  }

  async close(): Promise<void> {
    for (const r of this.hung) r.destroy();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
