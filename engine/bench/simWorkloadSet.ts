/**
 * Every workload of the simulator's own benchmark (`l4lab bench sim`): importing this module
 * registers them with {@link listSimWorkloads}, in the order the report lists them.
 */
import './l4/ipcSimWorkload';
import './linux/getpidSimWorkload';

export { digest, listSimWorkloads, type HostWindowProbe, type SimWorkload, type SimWorkloadResult } from './simWorkloads';
