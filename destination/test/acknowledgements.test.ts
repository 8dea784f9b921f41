import type { JsonObject } from '@cio-connectors/kit/json';
import { describe, expect, test } from 'vitest';
import { Acknowledgements, type Ticket } from '../src/acknowledgements.js';

const streamState = (name: string, cursor: number, namespace?: string): JsonObject => ({
  type: 'STREAM',
  stream: {
    stream_descriptor: namespace === undefined ? { name } : { name, namespace },
    stream_state: { cursor },
  },
});
const globalState = (cursor: number): JsonObject => ({
  type: 'GLOBAL',
  global: { shared_state: { cursor } },
});
const legacyState = (cursor: number): JsonObject => ({ data: { cursor } });

/** The released states' cursors and counts, in order. */
const released = (acknowledgements: Acknowledgements) =>
  acknowledgements.releasable().map((state) => ({
    state: state.type === 'STREAM' ? state.stream : (state.global ?? state.data),
    counts: [state.destinationStats.recordCount, state.destinationStats.rejectedRecordCount],
  }));

describe('Acknowledgements', () => {
  test('a state with no records before it goes back at once, with zero counts', () => {
    const acknowledgements = new Acknowledgements();
    acknowledgements.state(streamState('people', 1));
    acknowledgements.state(globalState(2));
    const states = acknowledgements.releasable();
    expect(states).toEqual([
      { ...streamState('people', 1), destinationStats: { recordCount: 0, rejectedRecordCount: 0 } },
      { ...globalState(2), destinationStats: { recordCount: 0, rejectedRecordCount: 0 } },
    ]);
    expect(acknowledgements.waitingStates).toBe(0);
    expect(acknowledgements.releasable()).toEqual([]);
  });

  test('a state waits until every record read before it is settled', () => {
    const acknowledgements = new Acknowledgements();
    const first = acknowledgements.record('people');
    const second = acknowledgements.record('people');
    acknowledgements.state(streamState('people', 1));
    expect(acknowledgements.releasable()).toEqual([]);
    acknowledgements.settle(first, false);
    expect(acknowledgements.releasable()).toEqual([]);
    expect(acknowledgements.waitingStates).toBe(1);
    acknowledgements.settle(second, false);
    expect(released(acknowledgements)).toEqual([{ state: streamState('people', 1).stream, counts: [2, 0] }]);
    expect(acknowledgements.waitingStates).toBe(0);
  });

  test('records settled out of order: nothing goes back until the earliest one is settled', () => {
    const acknowledgements = new Acknowledgements();
    const tickets = [acknowledgements.record('people'), acknowledgements.record('people')];
    acknowledgements.state(streamState('people', 1));
    tickets.push(acknowledgements.record('people'));
    acknowledgements.state(streamState('people', 2));
    tickets.push(acknowledgements.record('people'));
    acknowledgements.state(streamState('people', 3));

    const [a, b, c, d] = tickets as [
      (typeof tickets)[0],
      (typeof tickets)[0],
      (typeof tickets)[0],
      (typeof tickets)[0],
    ];
    acknowledgements.settle(d, false);
    acknowledgements.settle(c, true);
    acknowledgements.settle(b, false);
    expect(acknowledgements.releasable()).toEqual([]);
    acknowledgements.settle(a, false);
    expect(released(acknowledgements)).toEqual([
      { state: streamState('people', 1).stream, counts: [2, 0] },
      { state: streamState('people', 2).stream, counts: [1, 1] },
      { state: streamState('people', 3).stream, counts: [1, 0] },
    ]);
  });

  test('states go back in the order they came, each as soon as the records before it are settled', () => {
    const acknowledgements = new Acknowledgements();
    const first = acknowledgements.record('people');
    acknowledgements.state(streamState('people', 1));
    const second = acknowledgements.record('events');
    acknowledgements.state(streamState('events', 1));
    acknowledgements.settle(second, false);
    // The events state is covered by the settled second record, but it waits behind the people state.
    expect(acknowledgements.releasable()).toEqual([]);
    acknowledgements.settle(first, false);
    expect(released(acknowledgements).map((state) => state.state)).toEqual([
      streamState('people', 1).stream,
      streamState('events', 1).stream,
    ]);
  });

  test('a state released when its records are settled, before later records are', () => {
    const acknowledgements = new Acknowledgements();
    const first = acknowledgements.record('people');
    acknowledgements.state(streamState('people', 1));
    const second = acknowledgements.record('people');
    acknowledgements.state(streamState('people', 2));
    acknowledgements.settle(first, false);
    expect(released(acknowledgements)).toEqual([{ state: streamState('people', 1).stream, counts: [1, 0] }]);
    expect(acknowledgements.waitingStates).toBe(1);
    acknowledgements.settle(second, true);
    expect(released(acknowledgements)).toEqual([{ state: streamState('people', 2).stream, counts: [1, 1] }]);
  });

  test("STREAM states count only their stream's records since its previous state", () => {
    const acknowledgements = new Acknowledgements();
    const tickets = [
      acknowledgements.record('people'),
      acknowledgements.record('events'),
      acknowledgements.record('people'),
      acknowledgements.record('events'),
      acknowledgements.record('events'),
    ];
    acknowledgements.state(streamState('people', 1));
    acknowledgements.state(streamState('events', 1));
    const later = acknowledgements.record('people');
    acknowledgements.state(streamState('people', 2));
    acknowledgements.state(streamState('orders', 1));
    for (const [index, ticket] of tickets.entries())
      acknowledgements.settle(ticket, index === 1 || index === 4);
    acknowledgements.settle(later, false);
    expect(released(acknowledgements)).toEqual([
      { state: streamState('people', 1).stream, counts: [2, 0] },
      { state: streamState('events', 1).stream, counts: [3, 2] },
      { state: streamState('people', 2).stream, counts: [1, 0] },
      { state: streamState('orders', 1).stream, counts: [0, 0] },
    ]);
  });

  test('a namespaced STREAM state counts the records of `namespace.name`', () => {
    const acknowledgements = new Acknowledgements();
    acknowledgements.settle(acknowledgements.record('crm.people'), true);
    acknowledgements.settle(acknowledgements.record('people'), false);
    acknowledgements.state(streamState('people', 1, 'crm'));
    acknowledgements.state(streamState('people', 1, ''));
    expect(released(acknowledgements).map((state) => state.counts)).toEqual([
      [1, 1],
      [1, 0],
    ]);
  });

  test('GLOBAL and LEGACY states count every record since the previous one of them', () => {
    const acknowledgements = new Acknowledgements();
    const tickets = [acknowledgements.record('people'), acknowledgements.record('events')];
    acknowledgements.state(globalState(1));
    tickets.push(acknowledgements.record('people'));
    tickets.push(acknowledgements.record('orders'));
    tickets.push(acknowledgements.record('events'));
    acknowledgements.state(legacyState(2));
    acknowledgements.state(globalState(3));
    for (const [index, ticket] of tickets.entries()) acknowledgements.settle(ticket, index >= 3);
    expect(released(acknowledgements)).toEqual([
      { state: globalState(1).global, counts: [2, 0] },
      { state: legacyState(2).data, counts: [3, 2] },
      { state: globalState(3).global, counts: [0, 0] },
    ]);
  });

  test("a rejection settled after its stream's state still counts in that state", () => {
    const acknowledgements = new Acknowledgements();
    const first = acknowledgements.record('people');
    acknowledgements.state(streamState('people', 1));
    const second = acknowledgements.record('people');
    acknowledgements.settle(second, true);
    acknowledgements.settle(first, true);
    acknowledgements.state(streamState('people', 2));
    expect(released(acknowledgements).map((state) => state.counts)).toEqual([
      [1, 1],
      [1, 1],
    ]);
  });

  test('the totals: read, settled, rejected, waiting states', () => {
    const acknowledgements = new Acknowledgements();
    const [, second, , fourth] = [1, 2, 3, 4].map(() => acknowledgements.record('people')) as [
      Ticket,
      Ticket,
      Ticket,
      Ticket,
    ];
    acknowledgements.state(streamState('people', 1));
    acknowledgements.settle(fourth, true);
    acknowledgements.settle(second, false);
    expect(acknowledgements.read).toBe(4);
    expect(acknowledgements.settled).toBe(2);
    expect(acknowledgements.rejected).toBe(1);
    expect(acknowledgements.releasable()).toEqual([]);
    expect(acknowledgements.waitingStates).toBe(1);
  });

  test('the echoed state keeps the message as it came', () => {
    const acknowledgements = new Acknowledgements();
    const message = { ...streamState('people', 7), sourceStats: { recordCount: 1 } };
    acknowledgements.settle(acknowledgements.record('people'), false);
    acknowledgements.state(message);
    expect(acknowledgements.releasable()).toEqual([
      { ...message, destinationStats: { recordCount: 1, rejectedRecordCount: 0 } },
    ]);
  });
});
