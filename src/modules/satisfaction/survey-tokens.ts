import { Injectable } from '@nestjs/common';
import { createHash, createHmac, hkdfSync } from 'node:crypto';
import { AppConfig } from '../../platform/config/app-config';

/** A survey token: 43 base64url characters (an HMAC-SHA256). */
export const SURVEY_TOKEN = /^[A-Za-z0-9_-]{43}$/;
export const SURVEY_TOKEN_MAX_LENGTH = 64;

/**
 * The survey link's secret. The token is an HMAC of the survey id under a key derived (HKDF) from
 * JWT_SECRET, so it never has to be stored: the row keeps only its SHA-256 (`token_hash`, looked up on
 * every public request), and the outbox event that sends the survey carries the survey id, not the
 * token. A database dump therefore holds no usable link. Rotating JWT_SECRET invalidates open links.
 */
@Injectable()
export class SurveyTokens {
  private readonly key: Buffer;

  constructor({ env }: AppConfig) {
    this.key = Buffer.from(
      hkdfSync('sha256', env.JWT_SECRET, Buffer.alloc(0), 'daiyun.satisfaction.survey-token', 32),
    );
  }

  tokenFor(surveyId: string): string {
    return createHmac('sha256', this.key).update(surveyId).digest('base64url');
  }

  /** What the table stores and is searched by. */
  static hash(token: string): Buffer {
    return createHash('sha256').update(token).digest();
  }
}
