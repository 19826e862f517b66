/**
 * A local stand-in for Twilio's Voice signaling gateway ("chunder"), speaking the Voice SDK's PStream
 * protocol over WSS (JSON `{type, version, payload}` messages): `listen` with an access token (verified
 * against the API key secret, as Twilio does: a bad signature is error 31204, an expired token 31205),
 * `connected` with the token's identity and remaining ttl, `register` → `ready`, `invite` / `answer` /
 * `ringing` / `hangup` / `cancel` / `dtmf` for calls. The media of a call is negotiated with a real
 * WebRTC peer supplied by the test (`peer`), so SDP offers and answers are genuine.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { WebSocketServer, type WebSocket } from 'ws';
import { verifyJwt } from '../../../src/telephony/token-endpoint';

export interface SignalMessage {
  readonly type: string;
  readonly version?: string;
  readonly payload: Record<string, unknown>;
}

export interface EdgePeer {
  /** Answers an offer from the SDK (outgoing call). */
  answer(offer: string): Promise<string>;
  /** Makes an offer for an incoming call. */
  offer(): Promise<string>;
  /** The SDK's answer to that offer. */
  setAnswer(sdp: string): Promise<void>;
}

export interface FakeSignaling {
  /** For the Device's `chunderw` option. */
  readonly host: string;
  readonly received: SignalMessage[];
  readonly listens: string[];
  peer: EdgePeer | null;
  /** Rings the registered client: an `invite` with a real SDP offer from the peer. */
  invite(from: string, callSid: string): Promise<void>;
  hangup(callSid: string): void;
  waitFor(pred: (m: SignalMessage) => boolean, timeoutMs?: number): Promise<SignalMessage>;
  close(): Promise<void>;
}

export function selfSignedCert(dir: string): { key: Buffer; cert: Buffer } {
  const key = join(dir, 'key.pem');
  const cert = join(dir, 'cert.pem');
  execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', cert, '-days', '1', '-subj', '/CN=127.0.0.1'], {
    stdio: 'ignore',
  });
  return { key: readFileSync(key), cert: readFileSync(cert) };
}

export async function startFakeSignaling(opts: { dir: string; apiKeySecret: string }): Promise<FakeSignaling> {
  const server: Server = createServer(selfSignedCert(opts.dir));
  const wss = new WebSocketServer({ server, path: '/signal' });
  const received: SignalMessage[] = [];
  const listens: string[] = [];
  const waiters: { pred: (m: SignalMessage) => boolean; ok: (m: SignalMessage) => void }[] = [];
  let client: WebSocket | null = null;
  const send = (ws: WebSocket | null, type: string, payload: object): void => {
    ws?.send(JSON.stringify({ type, version: '1.6', payload }));
  };
  const self: FakeSignaling = {
    host: '',
    received,
    listens,
    peer: null,
    async invite(from, callSid) {
      if (!self.peer) throw new Error('no edge peer');
      const sdp = await self.peer.offer();
      send(client, 'invite', { callsid: callSid, sdp, parameters: { From: from, CallSid: callSid, To: 'client:agent' } });
    },
    hangup(callSid) {
      send(client, 'hangup', { callsid: callSid });
    },
    waitFor(pred, timeoutMs = 15_000) {
      const hit = received.find(pred);
      if (hit) return Promise.resolve(hit);
      return new Promise((ok, fail) => {
        const w = { pred, ok };
        waiters.push(w);
        setTimeout(() => {
          const i = waiters.indexOf(w);
          if (i >= 0) {
            waiters.splice(i, 1);
            fail(new Error(`signaling: no matching message within ${timeoutMs} ms; got ${received.map((m) => m.type).join(', ')}`));
          }
        }, timeoutMs);
      });
    },
    close: () =>
      new Promise((ok) => {
        for (const c of wss.clients) c.terminate();
        wss.close();
        server.closeAllConnections();
        server.close(() => ok());
      }),
  };
  wss.on('connection', (ws) => {
    client = ws;
    ws.on('message', (data) => {
      let msg: SignalMessage;
      try {
        msg = JSON.parse(String(data)) as SignalMessage;
      } catch {
        return;
      }
      received.push(msg);
      for (const w of [...waiters]) {
        if (w.pred(msg)) {
          waiters.splice(waiters.indexOf(w), 1);
          w.ok(msg);
        }
      }
      void handle(ws, msg);
    });
  });
  const handle = async (ws: WebSocket, msg: SignalMessage): Promise<void> => {
    const p = msg.payload ?? {};
    switch (msg.type) {
      case 'listen': {
        const token = String(p.token ?? '');
        listens.push(token);
        const claims = verifyJwt(token, opts.apiKeySecret);
        if (!claims) {
          send(ws, 'error', { error: { code: 31204, message: 'JWT is invalid' } });
          return;
        }
        const ttl = Number(claims.exp) - Math.floor(Date.now() / 1000);
        if (!(ttl > 0)) {
          send(ws, 'error', { error: { code: 31205, message: 'JWT token expired' } });
          return;
        }
        const identity = (claims.grants as { identity?: string } | undefined)?.identity ?? '';
        send(ws, 'connected', { region: 'gll', home: 'localhost', token: { identity, ttl } });
        return;
      }
      case 'register':
        send(ws, 'ready', {});
        return;
      case 'invite': {
        // An outgoing call: the peer answers the SDK's offer; ring first, then answer.
        if (!self.peer) {
          send(ws, 'hangup', { callsid: p.callsid, error: { code: 31480, message: 'Temporarily unavailable' } });
          return;
        }
        const sdp = await self.peer.answer(String(p.sdp));
        const callsid = `CA${'0'.repeat(32)}`;
        send(ws, 'ringing', { callsid });
        send(ws, 'answer', { callsid, sdp });
        return;
      }
      case 'answer':
        // The SDK's answer to an incoming call's offer.
        await self.peer?.setAnswer(String(p.sdp));
        return;
      default:
        return;
    }
  };
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  const { port } = server.address() as AddressInfo;
  (self as { host: string }).host = `127.0.0.1:${port}`;
  return self;
}
