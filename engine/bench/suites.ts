/**
 * Imports every suite module so that each registers its parts. One import line per module;
 * nothing else belongs here.
 */
export { listSuites, runSuite } from './suiteRegistry';
