/**
 * Imports every suite module so that each registers its parts. One import line per module;
 * nothing else belongs here.
 */
export { listSuites, runSuite } from './suiteRegistry';
import './linux/getpidSuite';
import './linux/pipeSuite';
import './l4/l4Suites';
import './linux/lmbenchSuite';
import './macro/compileSuite';
import './macro/aimSuite';
import './linux/vmSuite';
