import { Algorithm, hash, Options, verify } from '@node-rs/argon2';
import { Injectable, OnModuleInit } from '@nestjs/common';

/** OWASP Password Storage Cheat Sheet, argon2id first option: 19 MiB, 2 passes, 1 lane. */
export const ARGON2_OPTIONS: Options = {
  algorithm: Algorithm.Argon2id,
  memoryCost: 19_456,
  timeCost: 2,
  parallelism: 1,
};

@Injectable()
export class PasswordHasher implements OnModuleInit {
  private dummyHash: Promise<string> | undefined;

  /** Computed at start-up, so the first login of an unknown name is not slower than the rest. */
  onModuleInit(): void {
    this.dummyHash ??= this.hash('daiyun-no-such-account-placeholder');
  }

  hash(password: string): Promise<string> {
    return hash(password, ARGON2_OPTIONS);
  }

  /** False for a wrong password and for a hash this library cannot read (fails closed, never throws). */
  async verify(passwordHash: string, password: string): Promise<boolean> {
    try {
      return await verify(passwordHash, password);
    } catch {
      return false;
    }
  }

  /**
   * Spends the same time as a real check when there is no account, so response times do not tell an
   * attacker which logins exist.
   */
  async verifyAgainstNothing(password: string): Promise<false> {
    this.dummyHash ??= this.hash('daiyun-no-such-account-placeholder');
    await this.verify(await this.dummyHash, password);
    return false;
  }
}
