import assert from 'node:assert/strict';
import { emptyPanelState, isFromPanelMessage, isPanelState, isToPanelMessage, type PanelRecord } from '../../../webview/panelProtocol';

const record: PanelRecord = { suite: 'pipe', system: 'l4', benchmark: 'rpc.latency', unit: 'us', value: 5.1, paper: 5, breakdown: { ipc: 300, tlbRefill: 20 } };

describe('panel protocol', () => {
  it('accepts every message the panel may send, and nothing else', () => {
    for (const message of [{ type: 'ready' }, { type: 'rendered', records: 3 }, { type: 'rerun' }, { type: 'stop' }, { type: 'runMachineBenchmark' }, { type: 'export', format: 'csv' }, { type: 'export', format: 'markdown' }]) {
      assert.equal(isFromPanelMessage(message), true, JSON.stringify(message));
    }
    for (const message of [null, 'ready', { type: 'export', format: 'pdf' }, { type: 'export' }, { type: 'rerun', extra: 1 }, { type: 'rendered', records: -1 }, { type: 'rendered', records: 1.5 }, { type: 'run', command: 'rm -rf' }, { command: 'ready' }, []]) {
      assert.equal(isFromPanelMessage(message), false, JSON.stringify(message));
    }
  });

  it('validates the state sent to the panel, record by record', () => {
    const state = { ...emptyPanelState(), records: [record], categoryLabels: { ipc: 'IPC path' } };
    assert.equal(isPanelState(state), true);
    assert.equal(isToPanelMessage({ type: 'state', state }), true);
    assert.equal(isToPanelMessage({ type: 'state', state: { ...state, records: [{ ...record, value: '5' }] } }), false);
    assert.equal(isToPanelMessage({ type: 'state', state: { ...state, records: [{ ...record, breakdown: { ipc: Number.NaN } }] } }), false);
    assert.equal(isToPanelMessage({ type: 'state', state: { ...state, running: { title: 'x' } } }), false);
    assert.equal(isToPanelMessage({ type: 'state' }), false);
    assert.equal(isToPanelMessage({ type: 'exported', path: '/tmp/x.csv' }), true);
    assert.equal(isToPanelMessage({ type: 'html', html: '<script>' }), false);
  });

  it('keeps a record with a null paper value and optional phases', () => {
    assert.equal(isPanelState({ ...emptyPanelState(), records: [{ ...record, paper: null, phases: { entry: 82 } }] }), true);
  });
});
