/**
 * Side-effect-free inspection of the mapping database (for notebooks and the inspector): the
 * mapping tree of the frame behind a task's page — who mapped or granted it to whom — and which
 * nodes an unmap of one of them would remove. Reads node fields only: charges no cycles, touches
 * no cache, changes no state.
 */
import type { L4Kernel } from './kernel';
import type { MappingNode } from './mappingDatabase';

export interface MappingTreeNode {
  readonly task: number;
  readonly address: number;
  readonly writable: boolean;
  /** Whether `fpage_unmap` of the page the tree was asked for (flushing the caller's own mapping too when `includeSelf`) removes this node. */
  readonly removedByUnmap: boolean;
  readonly children: readonly MappingTreeNode[];
}

export interface MappingTree {
  readonly frame: number;
  readonly root: MappingTreeNode;
}

/**
 * The mapping tree of the frame mapped at `va` in task `taskNumber`, from its root (sigma0's
 * mapping, usually), marking what an unmap by that task at `va` removes (its subtree, and itself
 * when `includeSelf`). Undefined when nothing is mapped there.
 */
export function inspectMappingTree(kernel: L4Kernel, taskNumber: number, va: number, includeSelf = false): MappingTree | undefined {
  const task = kernel.tasks[taskNumber];
  if (!task) return undefined;
  const node = kernel.mappings.lookup(task, va & ~0xfff);
  if (!node) return undefined;
  let root: MappingNode = node;
  while (root.parent !== null) root = root.parent;
  const build = (current: MappingNode, removed: boolean): MappingTreeNode => {
    const children: MappingTreeNode[] = [];
    for (let child = current.firstChild; child !== null; child = child.nextSibling) children.push(build(child, removed || current === node));
    return { task: current.task.number, address: current.va, writable: current.writable, removedByUnmap: removed || (current === node && includeSelf), children };
  };
  return { frame: node.frame, root: build(root, false) };
}
