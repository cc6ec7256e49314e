import assert from 'node:assert/strict';
import { Task } from '../../../engine/linux/core/task';
import { NR_TASKS, TaskTable } from '../../../engine/linux/core/taskTable';
import { Inode } from '../../../engine/linux/core/vfs';

function task(pid: number): Task {
  return new Task(pid, null, new Inode(1, 'dir', 0o755), 20, `t${pid}`);
}

describe('Linux task table (task[NR_TASKS], find_empty_process)', () => {
  it('hands out the lowest free slot from 1 up, NR_TASKS - 1 in all (slot 0 is init_task)', () => {
    const table = new TaskTable();
    const tasks: Task[] = [];
    for (let pid = 1; pid < NR_TASKS; pid++) {
      const slot = table.findEmpty();
      assert.equal(slot, pid);
      const t = task(pid);
      table.take(slot, t);
      tasks.push(t);
    }
    assert.equal(table.findEmpty(), -1);
    assert.equal(table.occupied, NR_TASKS - 1);
  });

  it('frees the slot of a reaped task for the next fork', () => {
    const table = new TaskTable();
    const [a, b, c] = [task(1), task(2), task(3)];
    for (const t of [a, b, c]) table.take(table.findEmpty(), t);
    table.release(b);
    assert.equal(b.slot, 0);
    assert.equal(table.occupied, 2);
    assert.equal(table.findEmpty(), 2);
    table.release(b); // twice: nothing more to free
    assert.equal(table.occupied, 2);
  });
});
