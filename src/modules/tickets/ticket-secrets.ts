import { Injectable } from '@nestjs/common';
import { createHmac, hkdfSync, randomInt, randomUUID, timingSafeEqual } from 'node:crypto';
import { AppConfig } from '../../platform/config/app-config';

const b64 = (buf: Buffer) => buf.toString('base64url');
const UUID_HEX = /^[0-9a-f]{32}$/;

/**
 * The public side's two secrets, each an HMAC under its own key derived (HKDF) from JWT_SECRET, so
 * they rotate with it and no new secret must be configured:
 *
 * - the per-ticket link, `<ticket id>.<mac>`: whoever holds it reads and answers that one ticket;
 * - the inbound challenge, `<payload>.<mac over payload and the answer>`: stateless to issue; the
 *   answer is not in the token, only checkable with the key. Single use is enforced by the caller.
 *
 * Comparisons are constant-time; any malformed or forged token is simply "not valid".
 */
@Injectable()
export class TicketSecrets {
  private readonly linkKey: Buffer;
  private readonly challengeKey: Buffer;

  constructor({ env }: AppConfig) {
    const derive = (label: string) =>
      Buffer.from(hkdfSync('sha256', env.JWT_SECRET, Buffer.alloc(0), `daiyun.tickets.${label}`, 32));
    this.linkKey = derive('reply-link');
    this.challengeKey = derive('challenge');
  }

  linkFor(ticketId: string): string {
    const id = ticketId.replace(/-/g, '');
    return `${id}.${b64(createHmac('sha256', this.linkKey).update(id).digest())}`;
  }

  /** The ticket id a link names, or null when it is not one of ours. */
  ticketOfLink(token: string): string | null {
    const [id, mac] = token.split('.');
    if (!id || !mac || !UUID_HEX.test(id)) return null;
    const expected = createHmac('sha256', this.linkKey).update(id).digest();
    if (!safeEqual(mac, expected)) return null;
    return `${id.slice(0, 8)}-${id.slice(8, 12)}-${id.slice(12, 16)}-${id.slice(16, 20)}-${id.slice(20)}`;
  }

  issueChallenge(orgId: string, expiresAt: Date): { token: string; question: string } {
    const a = randomInt(1, 20);
    const b = randomInt(1, 20);
    const payload = b64(Buffer.from(JSON.stringify({ c: randomUUID(), o: orgId, e: expiresAt.getTime() })));
    return {
      token: `${payload}.${b64(this.challengeMac(payload, String(a + b)))}`,
      question: `What is ${a} + ${b}?`,
    };
  }

  /** The challenge's id and expiry when the answer is right for this organization; null otherwise. */
  checkChallenge(token: string, answer: string, orgId: string): { id: string; expiresAt: Date } | null {
    const [payload, mac] = token.split('.');
    if (!payload || !mac) return null;
    const normalized = String(Number.parseInt(answer, 10));
    if (!safeEqual(mac, this.challengeMac(payload, normalized))) return null;
    try {
      const data = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as {
        c: string;
        o: string;
        e: number;
      };
      if (data.o !== orgId || typeof data.c !== 'string' || typeof data.e !== 'number') return null;
      return { id: data.c, expiresAt: new Date(data.e) };
    } catch {
      return null;
    }
  }

  private challengeMac(payload: string, answer: string): Buffer {
    return createHmac('sha256', this.challengeKey).update(`${payload}|${answer}`).digest();
  }
}

function safeEqual(given: string, expected: Buffer): boolean {
  const buf = Buffer.from(given, 'base64url');
  return buf.length === expected.length && timingSafeEqual(buf, expected);
}
