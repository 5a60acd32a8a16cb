/**
 * Time as the domain sees it. Rules with deadlines (lockouts, code expiry, SLAs) read this rather than
 * `new Date()` or SQL `now()`, so tests can move time forward without sleeping.
 */
export abstract class Clock {
  abstract now(): Date;
}

export class SystemClock extends Clock {
  now(): Date {
    return new Date();
  }
}

/** A clock tests can set and advance. */
export class ManualClock extends Clock {
  private current: Date;

  constructor(start: Date = new Date()) {
    super();
    this.current = new Date(start);
  }

  now(): Date {
    return new Date(this.current);
  }

  set(value: Date): void {
    this.current = new Date(value);
  }

  advance(ms: number): void {
    this.current = new Date(this.current.getTime() + ms);
  }
}
