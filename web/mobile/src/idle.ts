// The idle lock: after `minutes` without the worker touching the app, forget the data key (LocalStore.lock) and
// show the unlock screen. Timers stop while a phone sleeps, so the time since the last touch is also checked when
// the page becomes visible again (check()).

export interface Clock {
  now(): number;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

const realClock: Clock = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (h) => clearTimeout(h as ReturnType<typeof setTimeout>),
};

export class IdleLock {
  private last: number;
  private handle: unknown = null;
  private stopped = false;

  constructor(
    private minutes: number,
    private onIdle: () => void,
    private clock: Clock = realClock,
  ) {
    this.last = clock.now();
    this.arm();
  }

  private arm(): void {
    if (this.handle !== null) this.clock.clearTimeout(this.handle);
    this.handle = this.clock.setTimeout(() => this.check(), this.minutes * 60_000);
  }

  /** The worker did something: start the idle time again. */
  touch(): void {
    if (this.stopped) return;
    this.last = this.clock.now();
    this.arm();
  }

  /** Lock when the idle time has passed (timers may not have fired while the device slept). */
  check(): boolean {
    if (this.stopped) return true;
    if (this.clock.now() - this.last >= this.minutes * 60_000) {
      this.stop();
      this.onIdle();
      return true;
    }
    this.arm();
    return false;
  }

  setMinutes(minutes: number): void {
    this.minutes = minutes;
    this.touch();
  }

  stop(): void {
    this.stopped = true;
    if (this.handle !== null) this.clock.clearTimeout(this.handle);
    this.handle = null;
  }
}
