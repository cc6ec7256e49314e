import * as vscode from 'vscode';

/**
 * Writes `content` to `target` through a temporary file beside it and a rename, so that a reader
 * (or a crash half-way) never sees a truncated file. With `overwrite` false an existing target is
 * left alone and the rename fails.
 */
export async function writeFileAtomically(target: vscode.Uri, content: Uint8Array, overwrite = true): Promise<void> {
  const temporary = target.with({ path: `${target.path}.${process.pid}.tmp` });
  await vscode.workspace.fs.writeFile(temporary, content);
  try {
    await vscode.workspace.fs.rename(temporary, target, { overwrite });
  } catch (error) {
    await vscode.workspace.fs.delete(temporary).then(undefined, () => undefined);
    throw error;
  }
}
