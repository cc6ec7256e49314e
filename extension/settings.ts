// The l4lab.* settings (package.json contributes.configuration) as run settings of the worker
// protocol; every run from the palette, the panel and notebooks reads them through here.

import * as vscode from 'vscode';
import type { RunSettings } from '../engine/host/node/workerProtocol';

export function runSettings(): RunSettings {
  const config = vscode.workspace.getConfiguration('l4lab');
  const machine: NonNullable<RunSettings['machine']> = {
    clockMHz: config.get<number>('machine.clockMHz', 133),
    l1CodeKB: config.get<number>('machine.l1CodeKB', 8),
    l1DataKB: config.get<number>('machine.l1DataKB', 8),
    l2KB: config.get<number>('machine.l2KB', 256),
    taggedTlb: config.get<boolean>('machine.taggedTlb', false),
  };
  return {
    machine,
    parameters: parametersSetting(config.get<unknown>('parameters', {})),
    mode: config.get<'quick' | 'full'>('iterations', 'quick') === 'full' ? 'full' : 'quick',
    smallSpaces: smallSpacesSetting(config.get<unknown>('l4.smallSpaces', 'paper')),
  };
}

/**
 * `l4lab.parameters` as a plain object: VS Code hands out setting objects as read-only proxies,
 * which the worker's message channel cannot clone ("could not be cloned"). Names and values are
 * checked by the engine, which refuses bad ones with a message.
 */
export function parametersSetting(value: unknown): Record<string, number | boolean> {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return {};
  return JSON.parse(JSON.stringify(value)) as Record<string, number | boolean>;
}

/**
 * `l4.smallSpaces` as the engine takes it: undefined keeps each system's published
 * configuration. Booleans are accepted from settings written before the setting became an enum.
 */
export function smallSpacesSetting(value: unknown): boolean | undefined {
  if (value === 'on' || value === true) return true;
  if (value === 'off' || value === false) return false;
  return undefined;
}

/** Watchdog of the engine worker: seconds without progress before a run counts as hung. */
export function watchdogMilliseconds(): number {
  return Math.max(0, vscode.workspace.getConfiguration('l4lab').get<number>('engine.watchdogSeconds', 120)) * 1000;
}
