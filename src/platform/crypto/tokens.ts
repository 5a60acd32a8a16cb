import { createHash, randomBytes } from 'node:crypto';

/** 32 random bytes, base64url: the shape of refresh tokens, reset tokens and API key secrets. */
export const newOpaqueToken = (): string => randomBytes(32).toString('base64url');

/**
 * Opaque tokens carry 256 bits of entropy, so a fast unsalted hash is enough to make a stolen table
 * useless; it also keeps the lookup a plain unique-index probe.
 */
export const sha256Hex = (value: string): string => createHash('sha256').update(value, 'utf8').digest('hex');
