import { createHmac, randomInt, timingSafeEqual } from 'node:crypto';

/** A uniformly random 6-digit code, leading zeros kept. */
export const newNumericCode = (): string => String(randomInt(0, 1_000_000)).padStart(6, '0');

/**
 * A 6-digit code has only a million values, so a plain hash of it is reversible by enumeration. Keying
 * the hash with a server secret means a leaked table alone does not reveal live codes.
 */
export function keyedHash(key: Buffer, value: string): string {
  return createHmac('sha256', key).update(value, 'utf8').digest('hex');
}

/** Derives a purpose-bound sub-key, so the JWT secret itself never keys anything but JWTs. */
export function deriveKey(secret: string, purpose: string): Buffer {
  return createHmac('sha256', secret).update(`daiyun:${purpose}`, 'utf8').digest();
}

export function sameHex(a: string, b: string): boolean {
  const left = Buffer.from(a, 'hex');
  const right = Buffer.from(b, 'hex');
  return left.length === right.length && timingSafeEqual(left, right);
}
