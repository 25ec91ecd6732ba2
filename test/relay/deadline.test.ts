import { describe, expect, it } from 'vitest';
import { Deadline } from '../../src/relay/deadline';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('Deadline', () => {
  it('fires once, after the time set, and again only when set again', async () => {
    let fired = 0;
    const deadline = new Deadline(() => fired++);
    deadline.set(40);
    await sleep(15);
    expect(fired).toBe(0);
    await sleep(60);
    expect(fired).toBe(1);
    await sleep(60);
    expect(fired).toBe(1);
    deadline.set(10);
    await sleep(40);
    expect(fired).toBe(2);
  });

  it('moves later when set again before it fires', async () => {
    let firedAt = 0;
    const started = Date.now();
    const deadline = new Deadline(() => (firedAt = Date.now()));
    deadline.set(40);
    await sleep(25);
    deadline.set(40);
    await sleep(30);
    expect(firedAt).toBe(0);
    await sleep(40);
    expect(firedAt - started).toBeGreaterThanOrEqual(60);
  });

  it('moves earlier when set to a shorter time', async () => {
    let fired = 0;
    const deadline = new Deadline(() => fired++);
    deadline.set(10_000);
    deadline.set(20);
    await sleep(50);
    expect(fired).toBe(1);
  });

  it('does not fire while paused, and runs again when set', async () => {
    let fired = 0;
    const deadline = new Deadline(() => fired++);
    deadline.set(20);
    deadline.pause();
    await sleep(50);
    expect(fired).toBe(0);
    deadline.set(20);
    await sleep(50);
    expect(fired).toBe(1);
  });

  it('never fires once cleared', async () => {
    let fired = 0;
    const deadline = new Deadline(() => fired++);
    deadline.set(20);
    deadline.clear();
    deadline.set(20);
    await sleep(50);
    expect(fired).toBe(0);
  });
});
