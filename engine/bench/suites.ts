/**
 * Imports every suite module so that each registers itself. Add one line per suite; nothing else
 * belongs here.
 */
export { findSuite, listSuites } from './suiteRegistry';
